package genesis

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gnomon-chain/gnomon/sdk"
)

// FileSizeMax bounds what ReadFile will read: far above any real genesis
// (AccountsMax small accounts), far below what would exhaust memory.
const FileSizeMax = 1 << 30

// WriteFile validates g and writes its encoding to path with mode 0644. It
// refuses to replace an existing file, and writes a temporary file in the
// same directory and renames it into place, so a crash never leaves a
// partial genesis at path.
func (g *Genesis) WriteFile(path string) error {
	if err := g.Validate(); err != nil {
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write genesis %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(g.Encode()); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	// Link refuses a path that appeared since the check above, where Rename
	// would replace it; a filesystem without hard links gets the Rename.
	if err := os.Link(tmp.Name(), path); err == nil {
		os.Remove(tmp.Name())
	} else if errors.Is(err, fs.ErrExist) {
		os.Remove(tmp.Name())
		return fmt.Errorf("write genesis %s: %w", path, err)
	} else if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write genesis %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // best effort: make the new name durable
		d.Close()
	}
	return nil
}

// ReadFile reads and decodes the genesis at path.
func ReadFile(path string) (Genesis, error) {
	g, _, err := ReadFileHashed(path)
	return g, err
}

// ReadFileHashed is ReadFile that also returns the genesis hash, taken from
// the file's bytes: Decode accepts only the canonical encoding, so they are
// what Hash would encode, and a node with a million genesis accounts skips
// a second of re-encoding at every start.
func ReadFileHashed(path string) (Genesis, sdk.Hash, error) {
	g, b, err := readFile(path)
	if err != nil {
		return Genesis{}, sdk.Hash{}, err
	}
	return g, hashBytes(b), nil
}

// ReadFileWithoutAccounts is ReadFileHashed with DecodeWithoutAccounts: for
// a node whose ledger already holds the rooted state. The hash still covers
// the whole file.
func ReadFileWithoutAccounts(path string) (Genesis, sdk.Hash, error) {
	g, b, err := readFileWith(path, DecodeWithoutAccounts)
	if err != nil {
		return Genesis{}, sdk.Hash{}, err
	}
	return g, hashBytes(b), nil
}

func readFile(path string) (Genesis, []byte, error) { return readFileWith(path, Decode) }

func readFileWith(path string, decode func([]byte) (Genesis, error)) (Genesis, []byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return Genesis{}, nil, fmt.Errorf("read genesis %s: %w", path, err)
	}
	defer f.Close()
	// Read into a buffer of the file's size: growing one by doubling would
	// copy a large genesis several times.
	size := int64(512)
	if st, err := f.Stat(); err == nil && st.Size() > 0 && st.Size() <= FileSizeMax {
		size = st.Size() + 1
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(io.LimitReader(f, FileSizeMax+1)); err != nil {
		return Genesis{}, nil, fmt.Errorf("read genesis %s: %w", path, err)
	}
	b := buf.Bytes()
	if len(b) > FileSizeMax {
		return Genesis{}, nil, fmt.Errorf("read genesis %s: larger than %d bytes: %w", path, FileSizeMax, ErrInvalid)
	}
	g, err := decode(b)
	if err != nil {
		return Genesis{}, nil, fmt.Errorf("read genesis %s: %w", path, err)
	}
	return g, b, nil
}
