"""The roster import: universities', the Education Dept's, MOHRSS's and offices' graduate lists (.xlsx).

reader.py opens a file safely and yields its rows by field; parse.py turns cells into values; template.py builds
the template to download; engine.py and actions.py check and write.
"""
