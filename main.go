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

const usage = `usage: hiveconsole <command> [flags]

commands:
  sandbox   run the Hive API sandbox alone (see hiveconsole sandbox -h)
  version   print the version

The console itself (hiveconsole serve) arrives with the console's chassis.`

// run is the whole program: it parses the command line and runs one command until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{usage}
	}
	switch args[0] {
	case "sandbox":
		return runSandbox(ctx, args[1:], getenv, stdout, stderr)
	case "version":
		_, err := fmt.Fprintln(stdout, "hiveconsole", version)
		return err
	case "-h", "-help", "--help", "help":
		_, err := fmt.Fprintln(stdout, usage)
		return err
	}
	return usageError{fmt.Sprintf("unknown command %q\n\n%s", args[0], usage)}
}
