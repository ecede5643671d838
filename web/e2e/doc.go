// Package e2e holds Relay's browser tests: they start the whole server in
// process (internal/testserver, SQLite, the embedded web build) on
// 127.0.0.1, serve it under the base domain "localhost" (Chromium resolves
// every *.localhost name to the loopback address, so workspace hosts work
// without DNS) and drive Debian's headless Chromium with chromedp, two
// browser contexts standing for two people.
//
// The tests use only the selectors listed in docs/web.md. They skip when
// the web build (web/dist) or Chromium is missing, unless
// RELAY_TEST_REQUIRE_BROWSER=1 (CI) makes that a failure. On a failure each
// person's page is saved as a full-page screenshot under
// $RELAY_E2E_ARTIFACTS (or a temporary folder) and the path is logged.
// RELAY_CHROMIUM names another Chromium binary.
//
// With RELAY_UPDATE_SCREENSHOTS=1 the flow test also refreshes the
// screenshots of the main screens in docs/screenshots/.
//
// The package has test files only.
package e2e
