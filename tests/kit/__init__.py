"""What the test suites share, one job per module (import as `from kit.<module> import …`):

- `actors`: counsellors and admins acting on the relay API (enrol, roster, log in, org codes).
- `reporter`: the scripted reporter device, at two levels: `Reporter` on the reference client
  (`opgelucht_reporter`) for the desk, UI and end-to-end tests, and `RawReporter` for the relay tests,
  which sends the signed requests (and the wrong ones) that the reference client never would.
- `relay`: the real relay app, run three ways: `served` (uvicorn inside the test's event loop),
  `RelayServer` (in a thread with a ManualClock; restartable on the same port and data) and
  `RelayProcess` (an `opgelucht-relay serve` subprocess a test can kill).
- `sse`: reading the relay's Server-Sent Events stream.
"""
