// Command hiveconsole is Hive Console, the self-hosted back office for the Hive identity-verification
// API, and the Hive API sandbox it runs on when no Hive credentials are configured.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "hiveconsole:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

const usage = `usage: hiveconsole [command] [flags]

commands:
  serve         run the console (the default); without Hive credentials it runs on a built-in sandbox
  sandbox       run the Hive API sandbox alone (see hiveconsole sandbox -h)
  user          manage staff accounts: add, list, passwd, disable, enable, role, revoke (see hiveconsole user -h)
  audit         check the audit trail's hash chain (verify) or print its newest events (list)
  evidence      print the key that signs evidence packs (key), or check a pack offline (verify)
  retention     print what the retention policy would delete now (plan), or delete it (apply --yes)
  healthcheck   exit 0 when the console at HIVECONSOLE_ADDR answers /healthz (for containers)
  version       print the version

Configuration comes from the environment (HIVECONSOLE_*, HIVE_*) or serve's flags: hiveconsole serve -h.`

// run is the whole program: it parses the command line and runs one command until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "-help" && args[0] != "--help" {
		return runServe(ctx, args, getenv, stdout, stderr)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, getenv)
	case "sandbox":
		return runSandbox(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		return runUser(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], getenv, stdout, stderr)
	case "evidence":
		return runEvidence(ctx, args[1:], getenv, stdout, stderr)
	case "retention":
		return runRetention(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		_, err := fmt.Fprintln(stdout, "hiveconsole", version)
		return err
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, usage)
		return err
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
}
