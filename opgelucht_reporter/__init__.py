"""The reference reporter client: what the employee's mobile app does, against the relay API.

- `client`: `ReporterClient` (async, httpx): join an org code, open conversations, say, read.
- `state`: its persistent state file (keys, pinned org key, roster, conversation chains).
- `cli`: the `opgelucht-reporter` command, a stand-in for the app.

Built on `opgelucht_desk.protocol` (wire format and crypto) only; never imports the desk core, the UI
or the relay. The relay's end-to-end tests and the desk tests drive it as the reporter.
"""
