package submodule

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const subPath = "docker/base/EPUB_Converter"

// isolateGit makes git ignore the user's and the system's config and gives
// commits a fixed identity, so the tests work on a machine without any git
// setup.
func isolateGit(t *testing.T) {
	t.Helper()
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("HOME", t.TempDir())
	t.Setenv("GIT_AUTHOR_NAME", "Test Author")
	t.Setenv("GIT_AUTHOR_EMAIL", "author@example.test")
	t.Setenv("GIT_COMMITTER_NAME", "Test Committer")
	t.Setenv("GIT_COMMITTER_EMAIL", "committer@example.test")
	t.Setenv("GIT_TERMINAL_PROMPT", "0")
	for _, name := range repositoryEnv {
		t.Setenv(name, "")
		require.NoError(t, os.Unsetenv(name))
	}
}

// git runs a git command for test setup and returns its trimmed output.
// Local paths serve as submodule URLs, which git 2.38.1 and later allow
// only with protocol.file.allow.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	full := append([]string{"-C", dir, "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"}, args...)
	out, err := exec.Command("git", full...).CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// commitFile writes content to name in dir and commits it.
func commitFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	git(t, dir, "add", name)
	git(t, dir, "commit", "-q", "-m", "change "+name)
	return git(t, dir, "rev-parse", "HEAD")
}

// fixture is a library repository with two commits and a superproject that
// has it as a submodule at subPath, checked out at the second commit.
type fixture struct {
	root   string
	lib    string
	super  string
	first  string // first commit of lib
	second string // second commit of lib, the one the superproject records
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	isolateGit(t)
	root := t.TempDir()
	f := fixture{root: root, lib: filepath.Join(root, "lib"), super: filepath.Join(root, "super")}

	git(t, root, "init", "-q", f.lib)
	f.first = commitFile(t, f.lib, "converter.rb", "v1\n")
	f.second = commitFile(t, f.lib, "converter.rb", "v2\n")

	git(t, root, "init", "-q", f.super)
	commitFile(t, f.super, "docker/base/Dockerfile", "FROM scratch\n")
	git(t, f.super, "submodule", "add", "-q", f.lib, subPath)
	git(t, f.super, "commit", "-q", "-m", "add converter")
	return f
}

// clone clones the superproject without its submodules.
func (f fixture) clone(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(f.root, "clone")
	git(t, f.root, "clone", "-q", f.super, dir)
	return dir
}

func TestStatusOK(t *testing.T) {
	f := newFixture(t)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, State{Path: subPath, Kind: OK, Recorded: f.second, CheckedOut: f.second}, state)
	assert.NoError(t, Check(context.Background(), f.super, subPath))
}

func TestStatusFromSubdirectory(t *testing.T) {
	f := newFixture(t)

	state, err := Status(context.Background(), filepath.Join(f.super, "docker"), "base/EPUB_Converter/")

	require.NoError(t, err)
	assert.Equal(t, OK, state.Kind)
	assert.Equal(t, "base/EPUB_Converter/", state.Path)
	assert.Equal(t, f.second, state.CheckedOut)
}

func TestStatusAbsolutePath(t *testing.T) {
	f := newFixture(t)

	state, err := Status(context.Background(), f.super, filepath.Join(f.super, subPath))

	require.NoError(t, err)
	assert.Equal(t, OK, state.Kind)
}

func TestStatusPathOutsideRepository(t *testing.T) {
	f := newFixture(t)

	for _, path := range []string{"", ".", "..", "../lib", f.lib} {
		_, err := Status(context.Background(), f.super, path)

		require.Error(t, err, "path %q", path)
		assert.NotErrorIs(t, err, ErrNotCheckout)
	}
}

func TestStatusCloneWithoutSubmodules(t *testing.T) {
	f := newFixture(t)
	clone := f.clone(t)

	state, err := Status(context.Background(), clone, subPath)

	require.NoError(t, err)
	assert.Equal(t, Uninitialized, state.Kind)
	assert.Equal(t, f.second, state.Recorded)
	assert.Empty(t, state.CheckedOut)
}

func TestCheckUninitializedSuggestsWorkingFix(t *testing.T) {
	f := newFixture(t)
	clone := f.clone(t)
	t.Chdir(clone)

	err := Check(context.Background(), ".", subPath)

	require.ErrorIs(t, err, ErrUninitialized)
	assert.Contains(t, err.Error(), "submodule "+subPath+" is not initialized")
	assert.Contains(t, err.Error(), "run git submodule update --init "+subPath)
	var stateErr *StateError
	require.ErrorAs(t, err, &stateErr)
	assert.Equal(t, Uninitialized, stateErr.State.Kind)

	git(t, clone, "submodule", "update", "--init", subPath)
	assert.NoError(t, Check(context.Background(), ".", subPath))
}

func TestCheckNamesRepositoryDirectory(t *testing.T) {
	f := newFixture(t)
	clone := f.clone(t)
	t.Chdir(f.root)

	err := Check(context.Background(), clone, subPath)

	require.ErrorIs(t, err, ErrUninitialized)
	assert.Contains(t, err.Error(), "run git -C "+clone+" submodule update --init "+subPath)
}

func TestStatusInitializedButEmpty(t *testing.T) {
	f := newFixture(t)
	clone := f.clone(t)
	git(t, clone, "submodule", "init", subPath)
	entries, err := os.ReadDir(filepath.Join(clone, subPath))
	require.NoError(t, err)
	require.Empty(t, entries)

	state, err := Status(context.Background(), clone, subPath)

	require.NoError(t, err)
	assert.Equal(t, Empty, state.Kind)
	assert.Equal(t, f.second, state.Recorded)
	assert.Empty(t, state.CheckedOut)
}

func TestCheckEmptySuggestsWorkingFix(t *testing.T) {
	f := newFixture(t)
	clone := f.clone(t)
	git(t, clone, "submodule", "init", subPath)
	t.Chdir(clone)

	err := Check(context.Background(), clone, subPath)

	require.ErrorIs(t, err, ErrEmpty)
	assert.Contains(t, err.Error(), "submodule "+subPath+" is initialized but not checked out")
	assert.Contains(t, err.Error(), "run git submodule update --init "+subPath)

	git(t, clone, "submodule", "update", "--init", subPath)
	assert.NoError(t, Check(context.Background(), clone, subPath))
}

func TestStatusDirectoryRemoved(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, os.RemoveAll(filepath.Join(f.super, subPath)))

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Empty, state.Kind)
}

func TestStatusDirectoryWithoutGit(t *testing.T) {
	f := newFixture(t)
	dir := filepath.Join(f.super, subPath)
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "converter.rb"), []byte("copied\n"), 0o644))

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Empty, state.Kind, "a directory without .git belongs to the superproject")
}

func TestStatusOtherCommitCheckedOut(t *testing.T) {
	f := newFixture(t)
	git(t, filepath.Join(f.super, subPath), "checkout", "-q", f.first)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, State{Path: subPath, Kind: Mismatch, Recorded: f.second, CheckedOut: f.first}, state)
}

func TestCheckMismatchSuggestsUpdate(t *testing.T) {
	f := newFixture(t)
	git(t, filepath.Join(f.super, subPath), "checkout", "-q", f.first)
	t.Chdir(f.super)

	err := Check(context.Background(), f.super, subPath)

	require.ErrorIs(t, err, ErrMismatch)
	msg := err.Error()
	assert.Contains(t, msg, "is checked out at commit "+f.first[:12])
	assert.Contains(t, msg, "the superproject records "+f.second[:12])
	assert.Contains(t, msg, "run git submodule update "+subPath)
	assert.Contains(t, msg, "git add "+subPath+" to record "+f.first[:12])

	git(t, f.super, "submodule", "update", subPath)
	assert.NoError(t, Check(context.Background(), f.super, subPath))
}

func TestCheckMismatchFixedByAdd(t *testing.T) {
	f := newFixture(t)
	git(t, filepath.Join(f.super, subPath), "checkout", "-q", f.first)
	require.ErrorIs(t, Check(context.Background(), f.super, subPath), ErrMismatch)

	git(t, f.super, "add", subPath)

	assert.NoError(t, Check(context.Background(), f.super, subPath))
}

func TestStatusGitmodulesEntryRemoved(t *testing.T) {
	f := newFixture(t)
	git(t, f.super, "config", "--file", ".gitmodules", "--remove-section", "submodule."+subPath)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Missing, state.Kind)
	assert.Equal(t, f.second, state.Recorded)
}

func TestCheckGitmodulesEntryRemovedSuggestsRestore(t *testing.T) {
	f := newFixture(t)
	git(t, f.super, "config", "--file", ".gitmodules", "--remove-section", "submodule."+subPath)
	t.Chdir(f.super)

	err := Check(context.Background(), f.super, subPath)

	require.ErrorIs(t, err, ErrMissing)
	assert.Contains(t, err.Error(), "submodule "+subPath+" is missing from .gitmodules")
	assert.Contains(t, err.Error(), "restore .gitmodules with git checkout HEAD -- .gitmodules")

	git(t, f.super, "checkout", "HEAD", "--", ".gitmodules")
	assert.NoError(t, Check(context.Background(), f.super, subPath))
}

func TestStatusGitmodulesFileRemoved(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, os.Remove(filepath.Join(f.super, ".gitmodules")))

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Missing, state.Kind)
}

func TestStatusGitlinkRemovedFromIndex(t *testing.T) {
	f := newFixture(t)
	git(t, f.super, "update-index", "--force-remove", subPath)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Missing, state.Kind)
	assert.Empty(t, state.Recorded)
}

func TestCheckUndeclaredPath(t *testing.T) {
	f := newFixture(t)
	t.Chdir(f.super)

	err := Check(context.Background(), f.super, "docker/base/PreRenderer")

	require.ErrorIs(t, err, ErrMissing)
	assert.Contains(t, err.Error(), "submodule docker/base/PreRenderer is missing: no .gitmodules entry with this path")
	assert.Contains(t, err.Error(), "git submodule add <repository URL> docker/base/PreRenderer")
}

func TestStatusTrackedDirectoryIsNoSubmodule(t *testing.T) {
	f := newFixture(t)

	state, err := Status(context.Background(), f.super, "docker/base")

	require.NoError(t, err)
	assert.Equal(t, Missing, state.Kind)
}

func TestStatusMergeConflict(t *testing.T) {
	f := newFixture(t)
	git(t, f.lib, "checkout", "-q", "-b", "ours", f.second)
	ours := commitFile(t, f.lib, "ours.txt", "ours\n")
	git(t, f.lib, "checkout", "-q", "-b", "theirs", f.second)
	theirs := commitFile(t, f.lib, "theirs.txt", "theirs\n")
	sub := filepath.Join(f.super, subPath)
	git(t, sub, "fetch", "-q", "origin")

	git(t, f.super, "checkout", "-q", "-b", "other")
	git(t, sub, "checkout", "-q", theirs)
	git(t, f.super, "commit", "-q", "-a", "-m", "converter theirs")
	git(t, f.super, "checkout", "-q", "main")
	git(t, sub, "checkout", "-q", ours)
	git(t, f.super, "commit", "-q", "-a", "-m", "converter ours")
	out, err := exec.Command("git", "-C", f.super, "merge", "-q", "other").CombinedOutput()
	require.Error(t, err, "the merge must stop with a conflict: %s", out)
	t.Chdir(f.super)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, Conflict, state.Kind)
	assert.Equal(t, ours, state.Ours)
	assert.Equal(t, theirs, state.Theirs)
	assert.Equal(t, ours, state.CheckedOut)
	assert.Empty(t, state.Recorded)

	err = Check(context.Background(), f.super, subPath)
	require.ErrorIs(t, err, ErrConflict)
	assert.Contains(t, err.Error(), "submodule "+subPath+" has an unresolved merge conflict (ours "+ours[:12]+", theirs "+theirs[:12]+")")
	assert.Contains(t, err.Error(), "git -C "+subPath+" checkout <commit>, then record it with git add "+subPath)

	git(t, sub, "checkout", "-q", theirs)
	git(t, f.super, "add", subPath)
	assert.NoError(t, Check(context.Background(), f.super, subPath))
}

func TestStatusNotACheckout(t *testing.T) {
	isolateGit(t)
	dir := t.TempDir()
	// Stop git from finding a repository above the temporary directory.
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))

	_, err := Status(context.Background(), dir, subPath)

	require.ErrorIs(t, err, ErrNotCheckout)
	assert.Contains(t, err.Error(), dir+" is not a git checkout")
	assert.Contains(t, err.Error(), "git clone --recurse-submodules")
	assert.ErrorIs(t, Check(context.Background(), dir, subPath), ErrNotCheckout)
}

func TestStatusRepositoryDirectoryMissing(t *testing.T) {
	isolateGit(t)
	dir := filepath.Join(t.TempDir(), "absent")

	_, err := Status(context.Background(), dir, subPath)

	require.ErrorIs(t, err, ErrNotCheckout)
	assert.Contains(t, err.Error(), dir+" does not exist")
}

func TestStatusRepositoryDirectoryIsFile(t *testing.T) {
	f := newFixture(t)

	_, err := Status(context.Background(), filepath.Join(f.super, ".gitmodules"), subPath)

	require.ErrorIs(t, err, ErrNotCheckout)
	assert.Contains(t, err.Error(), "is not a directory")
}

func TestStatusInsideGitDirectory(t *testing.T) {
	f := newFixture(t)

	_, err := Status(context.Background(), filepath.Join(f.super, ".git"), subPath)

	require.ErrorIs(t, err, ErrNotCheckout)
	assert.Contains(t, err.Error(), "is not inside the work tree")
}

// TestStatusOtherOwner uses git's GIT_TEST_ASSUME_DIFFERENT_OWNER switch,
// which runs the real ownership refusal without a second user account.
func TestStatusOtherOwner(t *testing.T) {
	f := newFixture(t)
	t.Setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")

	_, err := Status(context.Background(), f.super, subPath)

	require.ErrorIs(t, err, ErrUnsafeRepository)
	assert.NotErrorIs(t, err, ErrNotCheckout)
	assert.Contains(t, err.Error(), "git config --global --add safe.directory "+f.super)
}

func TestStatusIgnoresRepositoryVariables(t *testing.T) {
	f := newFixture(t)
	t.Setenv("GIT_DIR", filepath.Join(f.lib, ".git"))
	t.Setenv("GIT_WORK_TREE", f.lib)

	state, err := Status(context.Background(), f.super, subPath)

	require.NoError(t, err)
	assert.Equal(t, OK, state.Kind)
}

func TestStatusWithoutGit(t *testing.T) {
	f := newFixture(t)
	t.Setenv("PATH", t.TempDir())

	_, err := Status(context.Background(), f.super, subPath)

	require.ErrorIs(t, err, exec.ErrNotFound)
	assert.Contains(t, err.Error(), "git is not installed or not in PATH")
}

func TestStatusCanceledContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	_, err := Status(ctx, f.super, subPath)

	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

func TestKindString(t *testing.T) {
	assert.Equal(t, "missing", Missing.String())
	assert.Equal(t, "uninitialized", Uninitialized.String())
	assert.Equal(t, "empty", Empty.String())
	assert.Equal(t, "mismatch", Mismatch.String())
	assert.Equal(t, "conflict", Conflict.String())
	assert.Equal(t, "ok", OK.String())
	assert.Equal(t, "Kind(0)", Kind(0).String())
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, "docker/base/EPUB_Converter", shellQuote("docker/base/EPUB_Converter"))
	assert.Equal(t, "'my dir'", shellQuote("my dir"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, "''", shellQuote(""))
}
