package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gnomon-chain/gnomon/sdk"
)

func keygen(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("want 'keygen new -o FILE [--force]' or 'keygen pubkey FILE'")
	}
	switch args[0] {
	case "new":
		return keygenNew(args[1:], stdout, stderr)
	case "pubkey":
		return keygenPubkey(args[1:], stdout, stderr)
	default:
		return usagef("unknown keygen command %q: want new or pubkey", args[0])
	}
}

func keygenNew(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keygen new", stderr)
	var out string
	fs.StringVar(&out, "o", "", "write the keypair to `FILE`")
	fs.StringVar(&out, "outfile", "", "same as -o")
	force := fs.Bool("force", false, "replace FILE if it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if out == "" || fs.NArg() != 0 {
		return usagef("want 'keygen new -o FILE [--force]'")
	}
	kp, err := sdk.NewKeypair()
	if err != nil {
		return fmt.Errorf("new keypair: %w", err)
	}
	if err := writeKeypair(out, kp, *force); err != nil {
		return err
	}
	fmt.Fprintln(stdout, kp.Pubkey())
	return nil
}

// writeKeypair writes kp to path; with force it writes beside path and
// renames over it, so the old key is either kept whole or replaced whole.
func writeKeypair(path string, kp sdk.Keypair, force bool) error {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists; pass --force to replace it", path)
		}
		return sdk.WriteKeypairFile(path, kp)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".new")
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write keypair %s: %w", path, err)
	}
	if err := sdk.WriteKeypairFile(tmp, kp); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write keypair %s: %w", path, err)
	}
	return nil
}

func keygenPubkey(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keygen pubkey", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want 'keygen pubkey FILE'")
	}
	kp, err := sdk.ReadKeypairFile(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, kp.Pubkey())
	return nil
}
