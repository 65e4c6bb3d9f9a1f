"""The production WSGI server for ``yangfan serve``: gunicorn with sync workers (DESIGN.md)."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from yangfan.wsgi import application

        return application


def run(*, host: str, port: int, workers: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    _Gunicorn(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "sync",
            "accesslog": "-",
            "timeout": 120,
            "control_socket_disable": True,
        }
    ).run()
