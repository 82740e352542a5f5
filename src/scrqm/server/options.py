"""The server's initialization options, as one pydantic model (jedi-language-server's pattern).

An editor sends them in `initialize` (`initializationOptions`); each overrides
the same option given on `scrqm server`'s command line.  Unknown keys are
refused with a message naming them, as a configuration file's are.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class InitializationOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    today: dt.date | None = Field(None, description="Treat this date (YYYY-MM-DD) as today, as `check --today`.")
    config: str | None = Field(None, description="Read this configuration file, as `check --config`.")
    isolated: bool | None = Field(None, description="Ignore every configuration file, as `check --isolated`.")
    rules: list[str] | None = Field(None, description="Extra rule-pack folders, as `check --rules`.")
    debounce: float = Field(0.25, ge=0, le=5, description="Seconds to wait after a keystroke before checking.")
