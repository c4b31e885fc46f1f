package handlers

import (
	"net/http"

	"github.com/hiveconsole/hiveconsole/auth"
	"github.com/hiveconsole/hiveconsole/webhooks"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Access says who may reach a route: anyone, any signed-in user, or users whose role grants a
// permission. The permission itself comes from auth's table; this file only names it.
type Access struct {
	Public     bool
	Permission auth.Permission // empty and not Public: any signed-in user
	// Scope, when set, makes the route part of the read API: an API token with this scope is the
	// only credential it takes (a staff session does not count), and it has no CSRF.
	Scope string
}

var (
	public   = Access{Public: true}
	signedIn = Access{}
)

func can(p auth.Permission) Access { return Access{Permission: p} }

func api(scope string) Access { return Access{Scope: scope} }

// Route is one registered route and who may reach it.
type Route struct {
	Method, Path string
	Access       Access
	handler      echo.HandlerFunc
}

// Routes is every route of the console with its access rule. A test walks Echo's routes against
// this table, role by role, so a route cannot be added without deciding who may use it.
func (a *App) Routes() []Route {
	static := echo.WrapHandler(a.Assets)
	return []Route{
		{http.MethodGet, "/healthz", public, a.healthz},
		{http.MethodGet, "/readyz", public, a.readyz},
		{http.MethodGet, "/metrics", public, echo.WrapHandler(promhttp.HandlerFor(a.metrics.Registry, promhttp.HandlerOpts{}))},
		{http.MethodGet, "/static/*", public, static},
		{http.MethodHead, "/static/*", public, static},
		{http.MethodGet, "/favicon.ico", public, a.favicon},
		{http.MethodGet, "/login", public, a.loginForm},
		{http.MethodPost, "/login", public, a.login},
		{http.MethodGet, "/login/code", public, a.secondFactorForm},
		{http.MethodPost, "/login/code", public, a.secondFactor},
		{http.MethodGet, "/login/setup", public, a.setupForm},
		{http.MethodPost, "/login/setup", public, a.setup},
		{http.MethodPost, "/login/passkey/begin", public, a.beginPasskeySignIn},
		{http.MethodPost, "/login/passkey", public, a.finishPasskeySignIn},
		{http.MethodGet, "/login/oidc", public, a.startSingleSignOn},
		{http.MethodGet, "/login/oidc/callback", public, a.singleSignOnCallback},
		{http.MethodPost, "/logout", signedIn, a.logout},
		{http.MethodGet, "/", can(auth.ViewOverview), a.overview},
		{http.MethodGet, "/overview/stream", can(auth.ViewOverview), a.overviewStream},
		{http.MethodGet, "/customers", can(auth.ViewCustomers), a.customers},
		{http.MethodGet, "/customers/table", can(auth.ViewCustomers), a.customersTable},
		{http.MethodGet, "/customers/new", can(auth.EditCustomers), a.newCustomerForm},
		{http.MethodPost, "/customers", can(auth.EditCustomers), a.createCustomer},
		{http.MethodGet, "/customers/export.csv", can(auth.ExportCSV), a.exportCustomers},
		{http.MethodGet, "/customers/:id", can(auth.ViewCustomers), a.customer},
		{http.MethodPost, "/customers/:id/hold", can(auth.HoldCustomers), a.placeHold},
		{http.MethodPost, "/customers/:id/release", can(auth.HoldCustomers), a.releaseHold},
		{http.MethodGet, "/customers/:id/edit", can(auth.EditCustomers), a.editCustomerForm},
		{http.MethodPost, "/customers/:id", can(auth.EditCustomers), a.updateCustomer},
		{http.MethodGet, "/customers/:id/delete", can(auth.DeleteCustomers), a.deleteCustomerForm},
		{http.MethodPost, "/customers/:id/delete", can(auth.DeleteCustomers), a.deleteCustomer},
		{http.MethodPost, "/customers/:id/sessions", can(auth.IssueSessions), a.issueSDKSession},
		{http.MethodGet, "/sessions", can(auth.ViewSessions), a.sdkSessions},
		{http.MethodGet, "/sessions/table", can(auth.ViewSessions), a.sdkSessionsTable},
		{http.MethodGet, "/sessions/:id", can(auth.ViewSessions), a.sdkSession},
		{http.MethodPost, "/sessions/:id/delete", can(auth.DeleteSessions), a.deleteSDKSession},
		{http.MethodPost, "/sessions/:id/simulate", can(auth.IssueSessions), a.simulateSDKSession},
		{http.MethodPost, "/reveal", can(auth.RevealPII), a.reveal},
		{http.MethodGet, "/audit", can(auth.ViewAudit), a.auditPage},
		{http.MethodGet, "/audit/export.csv", can(auth.ViewAudit), a.auditExport},
		{http.MethodGet, "/retention", can(auth.ViewRetention), a.retentionPlan},
		{http.MethodGet, "/api/v1/decisions", api(webhooks.ScopeDecisions), a.apiDecisions},
		{http.MethodGet, "/api/v1/checks/:id/decision", api(webhooks.ScopeDecisions), a.apiCheckDecision},
		{http.MethodGet, "/api-tokens", can(auth.ManageAPITokens), a.apiTokensPage},
		{http.MethodPost, "/api-tokens", can(auth.ManageAPITokens), a.createAPIToken},
		{http.MethodPost, "/api-tokens/:id/revoke", can(auth.ManageAPITokens), a.revokeAPIToken},
		{http.MethodGet, "/webhooks", can(auth.ManageWebhooks), a.webhooksPage},
		{http.MethodPost, "/webhooks", can(auth.ManageWebhooks), a.addWebhook},
		{http.MethodGet, "/webhooks/:id", can(auth.ManageWebhooks), a.webhookPage},
		{http.MethodPost, "/webhooks/:id/enable", can(auth.ManageWebhooks), a.enableWebhook},
		{http.MethodPost, "/webhooks/:id/disable", can(auth.ManageWebhooks), a.disableWebhook},
		{http.MethodPost, "/webhooks/:id/rotate", can(auth.ManageWebhooks), a.rotateWebhook},
		{http.MethodPost, "/webhooks/:id/test", can(auth.ManageWebhooks), a.testWebhook},
		{http.MethodPost, "/webhooks/:id/deliveries/:delivery/send", can(auth.ManageWebhooks), a.redeliverWebhook},
		{http.MethodGet, "/insights", can(auth.ViewInsights), a.insights},
		{http.MethodGet, "/insights/export.csv", can(auth.ViewInsights), a.exportInsight},
		{http.MethodGet, "/checks", can(auth.ViewChecks), a.checks},
		{http.MethodGet, "/checks/table", can(auth.ViewChecks), a.checksTable},
		{http.MethodGet, "/checks/stream", can(auth.ViewChecks), a.checksStream},
		{http.MethodPost, "/checks", can(auth.CreateChecks), a.createCheck},
		{http.MethodGet, "/checks/:id", can(auth.ViewReports), a.check},
		{http.MethodGet, "/checks/:id/evidence", can(auth.DownloadEvidence), a.evidence},
		{http.MethodPost, "/checks/:id/delete", can(auth.DeleteChecks), a.deleteCheck},
		{http.MethodGet, "/checks/:id/stream", can(auth.ViewReports), a.checkStream},
		{http.MethodGet, "/checks/:id/case", can(auth.ViewReports), a.caseStream},
		{http.MethodPost, "/checks/:id/review", can(auth.DecideReviews), a.decideReview},
		{http.MethodPost, "/reviews/next", can(auth.DecideReviews), a.nextReview},
		{http.MethodPost, "/checks/:id/claim", can(auth.DecideReviews), a.claimCheck},
		{http.MethodPost, "/checks/:id/release", can(auth.DecideReviews), a.releaseCheck},
		{http.MethodPost, "/checks/:id/assign", can(auth.AssignReviews), a.assignCheck},
		{http.MethodPost, "/checks/assign", can(auth.AssignReviews), a.assignChecks},
		{http.MethodPost, "/checks/:id/notes", can(auth.WriteNotes), a.addCheckNote},
		{http.MethodPost, "/customers/:id/notes", can(auth.WriteNotes), a.addCustomerNote},
		{http.MethodGet, "/inbox", signedIn, a.inbox},
		{http.MethodGet, "/checks/:id/report.json", can(auth.SeeReportPII), a.reportJSON},
		{http.MethodGet, "/files", can(auth.ViewFiles), a.files},
		{http.MethodGet, "/files/table", can(auth.ViewFiles), a.filesTable},
		{http.MethodGet, "/files/:id", can(auth.ViewFiles), a.file},
		{http.MethodGet, "/files/:id/content", can(auth.DownloadFiles), a.fileContent},
		{http.MethodGet, "/account/password", signedIn, a.passwordForm},
		{http.MethodPost, "/account/password", signedIn, a.changePassword},
		{http.MethodGet, "/account/security", signedIn, a.security},
		{http.MethodPost, "/account/totp", signedIn, a.beginTOTP},
		{http.MethodPost, "/account/totp/confirm", signedIn, a.confirmTOTP},
		{http.MethodPost, "/account/totp/off", signedIn, a.turnOffTOTP},
		{http.MethodPost, "/account/sessions/:key/end", signedIn, a.endSession},
		{http.MethodPost, "/account/passkeys/begin", signedIn, a.beginPasskeyRegistration},
		{http.MethodPost, "/account/passkeys", signedIn, a.finishPasskeyRegistration},
		{http.MethodPost, "/account/passkeys/:id/remove", signedIn, a.removePasskey},
		{http.MethodGet, "/users", can(auth.ManageUsers), a.users},
		{http.MethodGet, "/users/new", can(auth.ManageUsers), a.newUserForm},
		{http.MethodPost, "/users", can(auth.ManageUsers), a.createUser},
		{http.MethodGet, "/users/:id", can(auth.ManageUsers), a.user},
		{http.MethodPost, "/users/:id/role", can(auth.ManageUsers), a.userAction("user.role", a.setUserRole)},
		{http.MethodPost, "/users/:id/disable", can(auth.ManageUsers), a.userAction("user.disable", a.disableUser)},
		{http.MethodPost, "/users/:id/enable", can(auth.ManageUsers), a.userAction("user.enable", a.enableUser)},
		{http.MethodPost, "/users/:id/revoke", can(auth.ManageUsers), a.userAction("user.revoke_sessions", a.revokeUser)},
		{http.MethodPost, "/users/:id/password", can(auth.ManageUsers), a.resetPassword},
		{http.MethodPost, "/users/:id/unlock", can(auth.ManageUsers), a.clearSignInDelay},
		{http.MethodPost, "/users/:id/second-factor/reset", can(auth.ManageUsers), a.resetSecondFactor},
	}
}

func (a *App) register(e *echo.Echo) {
	a.access = map[string]Access{}
	for _, r := range a.Routes() {
		a.access[r.Method+" "+r.Path] = r.Access
		e.Add(r.Method, r.Path, a.guard(r.Access, r.handler))
	}
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
}
