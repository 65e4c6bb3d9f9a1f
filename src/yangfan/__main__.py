from yangfan.cli import entry

entry()
