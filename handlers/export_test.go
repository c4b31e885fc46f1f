package handlers

// ReadTokenClaims lets the external tests read a token issued by their sandbox the way the
// issued-session page does.
var ReadTokenClaims = readTokenClaims
