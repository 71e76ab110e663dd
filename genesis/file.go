package genesis

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
	f, err := os.Open(path)
	if err != nil {
		return Genesis{}, fmt.Errorf("read genesis %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, FileSizeMax+1))
	if err != nil {
		return Genesis{}, fmt.Errorf("read genesis %s: %w", path, err)
	}
	if len(b) > FileSizeMax {
		return Genesis{}, fmt.Errorf("read genesis %s: larger than %d bytes: %w", path, FileSizeMax, ErrInvalid)
	}
	g, err := Decode(b)
	if err != nil {
		return Genesis{}, fmt.Errorf("read genesis %s: %w", path, err)
	}
	return g, nil
}
