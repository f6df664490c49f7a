from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=32,
        strip=True,
        error_messages={"required": "请输入验证码。", "max_length": "验证码最多 32 个字符。"},
        widget=forms.TextInput(
            attrs={
                "class": "form-control",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "inputmode": "text",
            }
        ),
    )
