"""The pipeline's errors: each names the file and says, in Chinese, what the user must fix."""

from __future__ import annotations

from yangfan.core.errors import YangfanError


class PipelineError(YangfanError):
    """Base of the pipeline's errors on bad input."""


class RawFileInvalid(PipelineError):
    """A file the pipeline cannot read as its kind (missing, unreadable, a contract column absent)."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.message = message
        super().__init__(f"{file}: {message}" if file else message)


class SparkUnavailable(PipelineError):
    """The Spark engine was asked for where PySpark or Java is not installed."""


class TooManyRejects(PipelineError):
    """More rows broke the contract than the threshold allows: nothing is written, the rejects file says why.

    ``outcome`` is the aggregation as far as it went (rows read, rejected by reason, the rejects file)."""

    def __init__(self, outcome, threshold: float):
        self.outcome = outcome
        self.threshold = threshold
        share = outcome.rows_breaking / outcome.rows_read if outcome.rows_read else 0
        super().__init__(
            f"{outcome.rows_breaking} 行不符合文件约定（占 {share:.3%}，超过阈值 {threshold:.3%}），未写入任何数据"
        )
