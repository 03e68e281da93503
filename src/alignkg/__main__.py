from alignkg.cli import app

app(prog_name="alignkg")
