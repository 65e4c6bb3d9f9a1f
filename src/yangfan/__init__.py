"""扬帆 Yangfan: monitoring, evaluation and supervision of 5G application action plans."""

__version__ = "0.1.0"
