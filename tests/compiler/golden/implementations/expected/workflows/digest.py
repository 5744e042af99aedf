"""Workflow Digest (digest), generated from its graph."""

from datetime import UTC, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from daily_digest.activities import (
        archive,
        ask_model,
        count_words,
        disk_report,
        fetch_forecast,
        post_digest,
    )
    from daily_digest.models import (
        ArchiveInput,
        AskModelInput,
        CountWordsInput,
        DigestInput,
        DigestState,
        DiskReportInput,
        FetchForecastInput,
        PostDigestInput,
    )


@workflow.defn(name="digest")
class DigestWorkflow:
    """Writes the morning digest for one city and posts it."""

    @workflow.run
    async def run(self, input: DigestInput) -> str:
        """Writes the morning digest for one city and posts it."""
        self._input = input
        self._state = DigestState()
        forecast = await workflow.execute_activity(
            fetch_forecast,
            FetchForecastInput(city=self._input.city, units="metric"),
            start_to_close_timeout=timedelta(seconds=20),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=2),
                maximum_attempts=4,
                non_retryable_error_types=["HttpClientError"],
            ),
        )
        if any("storm" in alert for alert in forecast.alerts):
            raise ApplicationError(
                f"storm warning for {self._input.city}; no cheerful digest today",
                type="StormWarning",
                non_retryable=True,
            )
        draft = await workflow.execute_activity(
            ask_model,
            AskModelInput(
                model="small",
                prompt=f"Write a {self._input.tone} two-line weather "
                f"digest for {forecast.city}: {forecast.summary}, "
                f"high of {round(forecast.high_c)}°C.",
            ),
            start_to_close_timeout=timedelta(minutes=3),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=3), maximum_attempts=3),
            summary="write: Write digest",
        )
        title = await workflow.execute_activity(
            ask_model,
            AskModelInput(model="tiny", prompt=f"A five-word title for: {draft}"),
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(initial_interval=timedelta(seconds=3), maximum_attempts=3),
            summary="title: Write title",
        )
        self._state.draft = title + "\n\n" + draft
        word_count = await workflow.execute_activity(
            count_words,
            CountWordsInput(text=self._state.draft),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        if word_count > 120:
            raise ApplicationError(
                f"the digest has {word_count} words; the limit is 120",
                type="DigestTooLong",
                non_retryable=False,
            )
        wait_publish_deadline = self._input.publish_at
        if wait_publish_deadline.tzinfo is None:  # a naive datetime is taken as UTC
            wait_publish_deadline = wait_publish_deadline.replace(tzinfo=UTC)
        await workflow.sleep(
            max(timedelta(0), wait_publish_deadline - workflow.now()),
            summary="wait_publish: Wait until publish time",
        )
        await workflow.execute_activity(
            post_digest,
            PostDigestInput(channel=self._input.channel, text=self._state.draft),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        await workflow.sleep(timedelta(minutes=90), summary="cool_down: Cool down")
        disk = await workflow.execute_activity(
            disk_report,
            DiskReportInput(volume="/srv/digests"),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        packed = await workflow.execute_activity(
            archive,
            ArchiveInput(folder="/srv/digests/" + self._input.city),
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=RetryPolicy(maximum_attempts=10),
        )
        return f"{self._state.draft}\n-- archived: {packed['exit_code'] == 0}; {disk[-200:]}"
