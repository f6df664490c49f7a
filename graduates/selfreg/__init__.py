"""本人登记: graduates register and ask for help on their own (seed 002's 求职登记小程序) — the public page
/register/, the endpoint POST /api/v1/self-registrations/, and the offices' worklist of the leads they make."""
