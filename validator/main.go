package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

const usage = `usage: validator <command> [flags]

commands:
  dev       run a single-node dev cluster: dev genesis, faucet and ledger in --ledger DIR
  run       run a validator from flags: --identity, --ledger, --genesis, ... (single-validator clusters for now)
  keygen    new -o FILE [--force] | pubkey FILE: solana-keygen compatible keypair files
  genesis   build a genesis file from keypair files and parameters, print its hash

Run 'validator <command> -h' for a command's flags.
`

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // an error the operator can act on: missing file, existing output
	exitUsage = 2 // a bad command line, or a command not implemented yet
)

// usageError is a command line that cannot be run; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return usageError{msg: fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns the exit code; everything it
// prints goes to stdout (results) and stderr (logs and errors).
func run(args []string, stdout, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "keygen":
		err = keygen(args[1:], stdout, stderr)
	case "genesis":
		err = genesisCommand(args[1:], stdout, stderr, log)
	case "dev":
		err = devCommand(args[1:], stdout, stderr, log)
	case "run":
		err = runCommand(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "validator: unknown command %q\n%s", args[0], usage)
		return exitUsage
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "validator %s: %s\n", args[0], oneLine(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "validator %s: %s\n", args[0], oneLine(err.Error()))
		return exitError
	}
}

// oneLine keeps an error to the single line the operator reads.
func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// newFlagSet returns a FlagSet that reports its own parse errors and usage on
// stderr and leaves the exit to run.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args, turning a flag error into a usageError (the flag
// package has already printed the message and the flags).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%v", err)
	}
	return nil
}
