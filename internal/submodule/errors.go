package submodule

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Sentinel errors. ErrNotCheckout and ErrUnsafeRepository come from Status
// and Check; the others classify a *StateError from Check.
var (
	ErrNotCheckout      = errors.New("not a git checkout")
	ErrUnsafeRepository = errors.New("git rejects a repository owned by another user")
	ErrMissing          = errors.New("submodule missing")
	ErrUninitialized    = errors.New("submodule not initialized")
	ErrEmpty            = errors.New("submodule not checked out")
	ErrMismatch         = errors.New("submodule checked out at another commit")
	ErrConflict         = errors.New("submodule has a merge conflict")
)

// StateError is a submodule state other than OK, with the fix in its
// message.
type StateError struct {
	State State
	git   string // "git" or "git -C <dir>", the prefix of suggested commands
}

func (e *StateError) Error() string {
	s := e.State
	p := shellQuote(s.Path)
	switch s.Kind {
	case Missing:
		if s.Recorded != "" {
			return fmt.Sprintf("submodule %s is missing from .gitmodules, although the index records commit %s for it; restore .gitmodules with %s checkout HEAD -- .gitmodules, or declare it again with %s submodule add --force <repository URL> %s",
				s.Path, short(s.Recorded), e.git, e.git, p)
		}
		return fmt.Sprintf("submodule %s is missing: no .gitmodules entry with this path and no commit recorded in the index; add it with %s submodule add <repository URL> %s, or, if the last commit has it, restore it with %s checkout HEAD -- .gitmodules %s",
			s.Path, e.git, p, e.git, p)
	case Uninitialized:
		return fmt.Sprintf("submodule %s is not initialized; run %s submodule update --init %s (or clone with git clone --recurse-submodules)",
			s.Path, e.git, p)
	case Empty:
		return fmt.Sprintf("submodule %s is initialized but not checked out (its directory is missing, empty or no checkout of its own); run %s submodule update --init %s",
			s.Path, e.git, p)
	case Mismatch:
		return fmt.Sprintf("submodule %s is checked out at commit %s, but the superproject records %s; run %s submodule update %s to check out the recorded commit, or %s add %s to record %s if the new commit is intended",
			s.Path, short(s.CheckedOut), short(s.Recorded), e.git, p, e.git, p, short(s.CheckedOut))
	case Conflict:
		return fmt.Sprintf("submodule %s has an unresolved merge conflict (ours %s, theirs %s); check out the wanted commit with %s -C %s checkout <commit>, then record it with %s add %s",
			s.Path, orNone(short(s.Ours)), orNone(short(s.Theirs)), e.git, p, e.git, p)
	}
	return fmt.Sprintf("submodule %s is in the unexpected state %v", s.Path, s.Kind)
}

// Is matches the sentinel error of the state's Kind.
func (e *StateError) Is(target error) bool {
	switch e.State.Kind {
	case Missing:
		return target == ErrMissing
	case Uninitialized:
		return target == ErrUninitialized
	case Empty:
		return target == ErrEmpty
	case Mismatch:
		return target == ErrMismatch
	case Conflict:
		return target == ErrConflict
	}
	return false
}

// checkoutError reports a repository directory outside any git work tree.
type checkoutError struct {
	dir    string
	reason string // for example "does not exist"
	cause  error
}

func (e *checkoutError) Error() string {
	return fmt.Sprintf("%s %s; clone the repository with git clone --recurse-submodules <repository URL> and run the build inside the clone (a source archive contains no submodules)",
		absolute(e.dir), e.reason)
}

func (e *checkoutError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrNotCheckout}
	}
	return []error{ErrNotCheckout, e.cause}
}

func unsafeRepositoryError(dir string, cause error) error {
	return fmt.Errorf("%w: git rejects %s because another user owns it; if you trust it, run git config --global --add safe.directory %s (git's own message: %v)",
		ErrUnsafeRepository, absolute(dir), shellQuote(absolute(dir)), cause)
}

// gitCommand returns the start of a suggested git command for repoDir: "git"
// when repoDir is the working directory, otherwise "git -C <repoDir>".
func gitCommand(repoDir string) string {
	wd, err := os.Getwd()
	if err == nil && (repoDir == "" || sameDirectory(repoDir, wd)) {
		return "git"
	}
	return "git -C " + shellQuote(repoDir)
}

func absolute(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// short abbreviates a commit to 12 hexadecimal digits.
func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func orNone(commit string) string {
	if commit == "" {
		return "none"
	}
	return commit
}

// shellQuote quotes s for a POSIX shell when it contains anything beyond
// letters, digits and the punctuation common in paths.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+:@,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
