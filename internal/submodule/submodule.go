// Package submodule checks that a git submodule of a checkout is declared,
// initialized and checked out at the commit the superproject records. When
// it is not, the error names the git command that fixes it. The package runs
// the git program.
package submodule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Kind classifies the state of a submodule.
type Kind int

// The zero Kind is invalid, so that an unset State never reads as OK.
const (
	// Missing: .gitmodules has no entry for the path, or the index has no
	// commit (gitlink) recorded for it.
	Missing Kind = iota + 1
	// Uninitialized: declared, but git submodule init has not run, so the
	// repository's config has no URL for it.
	Uninitialized
	// Empty: initialized, but the directory is missing, empty or not a
	// checkout of its own.
	Empty
	// Mismatch: checked out at another commit than the one recorded.
	Mismatch
	// Conflict: the recorded commit has an unresolved merge conflict.
	Conflict
	// OK: checked out at the recorded commit.
	OK
)

func (k Kind) String() string {
	switch k {
	case Missing:
		return "missing"
	case Uninitialized:
		return "uninitialized"
	case Empty:
		return "empty"
	case Mismatch:
		return "mismatch"
	case Conflict:
		return "conflict"
	case OK:
		return "ok"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// State describes one submodule. Commits are full hexadecimal object names.
type State struct {
	Path       string // as passed to Status, relative to the repository directory
	Kind       Kind
	Recorded   string // commit recorded in the index; empty when Missing or Conflict
	CheckedOut string // HEAD of the submodule's checkout; empty when not checked out
	Ours       string // for Conflict, the commit of the current branch (index stage 2)
	Theirs     string // for Conflict, the commit being merged (index stage 3)
}

// Status inspects the submodule at path, relative to repoDir. It returns
// an error wrapping ErrNotCheckout when repoDir is not in a git work tree,
// ErrUnsafeRepository when git refuses the repository because another user
// owns it, and other errors when git fails. Any submodule state, including
// Missing, comes back as a State with a nil error.
func Status(ctx context.Context, repoDir, path string) (State, error) {
	state := State{Path: path}
	repo, err := openRepository(ctx, repoDir)
	if err != nil {
		return state, err
	}
	fullPath, err := repo.fullPath(path)
	if err != nil {
		return state, err
	}

	entries, err := repo.indexEntries(ctx, fullPath)
	if err != nil {
		return state, err
	}
	name, declared, err := repo.declaredName(ctx, fullPath)
	if err != nil {
		return state, err
	}

	checkoutDir := filepath.Join(repo.top, filepath.FromSlash(fullPath))
	state.CheckedOut, err = checkedOutCommit(ctx, checkoutDir)
	if err != nil {
		return state, err
	}

	gitlink, conflicted := classifyEntries(entries)
	switch {
	case conflicted:
		state.Kind = Conflict
		for _, entry := range entries {
			switch entry.stage {
			case 2:
				state.Ours = entry.object
			case 3:
				state.Theirs = entry.object
			}
		}
		return state, nil
	case gitlink == nil || !declared:
		state.Kind = Missing
		if gitlink != nil {
			state.Recorded = gitlink.object
		}
		return state, nil
	}
	state.Recorded = gitlink.object

	initialized, err := repo.hasURL(ctx, name)
	if err != nil {
		return state, err
	}
	switch {
	case !initialized:
		state.Kind = Uninitialized
	case state.CheckedOut == "":
		state.Kind = Empty
	case state.CheckedOut != state.Recorded:
		state.Kind = Mismatch
	default:
		state.Kind = OK
	}
	return state, nil
}

// Check returns nil when the submodule at path, relative to repoDir, is
// checked out at the recorded commit. Otherwise it returns a *StateError
// that names the path and the git command that fixes the state. That error
// matches ErrMissing, ErrUninitialized, ErrEmpty, ErrMismatch or ErrConflict
// with errors.Is. Errors of Status come back unchanged.
func Check(ctx context.Context, repoDir, path string) error {
	state, err := Status(ctx, repoDir, path)
	if err != nil {
		return err
	}
	if state.Kind == OK {
		return nil
	}
	return &StateError{State: state, git: gitCommand(repoDir)}
}

// repository is the work tree that contains the directory Status was
// given.
type repository struct {
	dir    string // the directory as given
	top    string // absolute path of the top of the work tree
	prefix string // dir relative to top, with a trailing slash, or ""
}

func openRepository(ctx context.Context, dir string) (*repository, error) {
	if dir == "" {
		dir = "."
	}
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &checkoutError{dir: dir, reason: "does not exist"}
	case err != nil:
		return nil, fmt.Errorf("reading the repository directory %s failed: %w", dir, err)
	case !info.IsDir():
		return nil, &checkoutError{dir: dir, reason: "is not a directory"}
	}

	out, err := runGit(ctx, dir, "rev-parse", "--is-inside-work-tree")
	switch {
	case isDubiousOwnership(err):
		return nil, unsafeRepositoryError(dir, err)
	case isNotRepository(err):
		return nil, &checkoutError{dir: dir, reason: "is not a git checkout", cause: err}
	case err != nil:
		return nil, err
	case strings.TrimSpace(out) != "true":
		// For example the .git directory or a bare repository.
		return nil, &checkoutError{dir: dir, reason: "is not inside the work tree of a git checkout"}
	}

	out, err = runGit(ctx, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("git rev-parse --show-toplevel --show-prefix printed %d lines, expected 2", len(lines))
	}
	return &repository{dir: dir, top: lines[0], prefix: lines[1]}, nil
}

// fullPath converts a path relative to the repository directory, or an
// absolute path, to the slash-separated path relative to the top of the
// work tree that .gitmodules and the index use.
func (r *repository) fullPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("no submodule path given; pass a path relative to the repository, such as docker/base/EPUB_Converter")
	}
	var full string
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(r.top, p)
		if err != nil {
			return "", fmt.Errorf("submodule path %s is not inside the repository %s: %w", p, r.top, err)
		}
		full = filepath.ToSlash(rel)
	} else {
		full = path.Join(r.prefix, filepath.ToSlash(p))
	}
	full = path.Clean(full)
	if full == "." || full == ".." || strings.HasPrefix(full, "../") {
		return "", fmt.Errorf("submodule path %s is not inside the repository %s; pass a path to a directory within it", p, r.top)
	}
	return full, nil
}

// indexEntry is one line of git ls-files --stage.
type indexEntry struct {
	mode   string
	object string
	stage  int
	path   string
}

// indexEntries returns the index entries whose path is exactly fullPath.
func (r *repository) indexEntries(ctx context.Context, fullPath string) ([]indexEntry, error) {
	out, err := runGit(ctx, r.dir, "ls-files", "--stage", "--full-name", "-z", "--", ":(top,literal)"+fullPath)
	if err != nil {
		return nil, err
	}
	var entries []indexEntry
	for _, record := range strings.Split(out, "\x00") {
		if record == "" {
			continue
		}
		// Format: "<mode> <object> <stage>\t<path>".
		meta, entryPath, ok := strings.Cut(record, "\t")
		fields := strings.Fields(meta)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("git ls-files printed an unexpected record %q", record)
		}
		if entryPath != fullPath {
			continue // a file below the path, when the path is a tracked directory
		}
		entries = append(entries, indexEntry{
			mode:   fields[0],
			object: fields[1],
			stage:  int(fields[2][0] - '0'),
			path:   entryPath,
		})
	}
	return entries, nil
}

// classifyEntries returns the stage-0 gitlink entry, if any, and whether
// the path has entries in conflict stages.
func classifyEntries(entries []indexEntry) (gitlink *indexEntry, conflicted bool) {
	for i := range entries {
		entry := &entries[i]
		if entry.stage != 0 {
			conflicted = true
			continue
		}
		if entry.mode == "160000" {
			gitlink = entry
		}
	}
	return gitlink, conflicted
}

// declaredName returns the name of the .gitmodules section whose path is
// fullPath.
func (r *repository) declaredName(ctx context.Context, fullPath string) (string, bool, error) {
	gitmodules := filepath.Join(r.top, ".gitmodules")
	if _, err := os.Stat(gitmodules); errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	out, err := runGit(ctx, r.dir, "config", "-z", "--file", gitmodules, "--get-regexp", `^submodule\..*\.path$`)
	var gitErr *gitError
	if errors.As(err, &gitErr) && gitErr.exitCode() == 1 {
		return "", false, nil // no path keys at all
	}
	if err != nil {
		return "", false, err
	}
	// Each record is "submodule.<name>.path\n<value>".
	for _, record := range strings.Split(out, "\x00") {
		key, value, ok := strings.Cut(record, "\n")
		if !ok || path.Clean(value) != fullPath {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(key, "submodule."), ".path")
		return name, true, nil
	}
	return "", false, nil
}

// hasURL reports whether the repository's config has a URL for the
// submodule, which git submodule init writes.
func (r *repository) hasURL(ctx context.Context, name string) (bool, error) {
	_, err := runGit(ctx, r.dir, "config", "--get", "submodule."+name+".url")
	var gitErr *gitError
	if errors.As(err, &gitErr) && gitErr.exitCode() == 1 {
		return false, nil
	}
	return err == nil, err
}

// checkedOutCommit returns HEAD of the repository whose work tree top is
// exactly dir, or "" when dir is missing, empty or belongs to another work
// tree, such as the superproject.
func checkedOutCommit(ctx context.Context, dir string) (string, error) {
	if _, err := os.Lstat(filepath.Join(dir, ".git")); err != nil {
		return "", nil
	}
	out, err := runGit(ctx, dir, "rev-parse", "--show-toplevel", "--verify", "--quiet", "HEAD")
	switch {
	case isDubiousOwnership(err):
		return "", unsafeRepositoryError(dir, err)
	case err != nil:
		// A broken or commitless .git is no checkout either.
		return "", nil
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !sameDirectory(lines[0], dir) {
		return "", nil
	}
	return lines[1], nil
}

func sameDirectory(a, b string) bool {
	infoA, errA := os.Stat(a)
	infoB, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(infoA, infoB)
}
