package offline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

func TestWithDefaults(t *testing.T) {
	opts, err := withDefaults(Options{Dir: "relative/tree", Mirror: "http://archive.example.invalid/debian"})
	require.NoError(t, err)

	assert.True(t, filepath.IsAbs(opts.Dir))
	assert.Equal(t, DefaultSuite, opts.Suite)
	assert.Equal(t, append(append([]string{}, DefaultPackages...), "locales"), opts.Packages)
	assert.NotContains(t, DefaultPackages, "locales", "DefaultPackages must stay unchanged")
}

func TestWithDefaultsKeepsGivenPackages(t *testing.T) {
	opts, err := withDefaults(Options{Dir: "/tree", Suite: "trixie", Mirror: "http://archive.example.invalid/debian", Packages: []string{"locales", "elixir"}})
	require.NoError(t, err)

	assert.Equal(t, "trixie", opts.Suite)
	assert.Equal(t, []string{"locales", "elixir"}, opts.Packages)
}

func TestBuildRejectsMissingDirAndFullDir(t *testing.T) {
	err := Build(context.Background(), Options{Mirror: "http://archive.example.invalid/debian"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no directory given")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
	err = Build(context.Background(), Options{Dir: dir, Mirror: "http://archive.example.invalid/debian"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not empty")
}

func TestEnableLocale(t *testing.T) {
	commented := "# This file lists locales\n# de_DE.UTF-8 UTF-8\n# en_US.UTF-8 UTF-8\n# en_US ISO-8859-1\n"
	assert.Equal(t,
		"# This file lists locales\n# de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n# en_US ISO-8859-1\n",
		string(enableLocale([]byte(commented), "en_US.UTF-8 UTF-8")))

	assert.Equal(t, "en_US.UTF-8 UTF-8\n", string(enableLocale(nil, "en_US.UTF-8 UTF-8")))
	assert.Equal(t, "# other\nen_US.UTF-8 UTF-8\n", string(enableLocale([]byte("# other"), "en_US.UTF-8 UTF-8")))
}

func TestCleanTree(t *testing.T) {
	root := machineRoot(t, map[string]string{
		"var/lib/apt/lists/archive_dists_bookworm_InRelease":  "x",
		"var/lib/apt/lists/partial/file":                      "x",
		"var/cache/apt/pkgcache.bin":                          "x",
		"var/cache/apt/archives/elixir_1.14.0.dfsg-2_all.deb": "x",
		"var/cache/apt/archives/partial/half.deb":             "x",
		"var/cache/apt/archives/lock":                         "",
		"etc/resolv.conf":                                     "nameserver 192.0.2.53\n",
		"etc/hostname":                                        "builder\n",
		"usr/bin/elixir":                                      "x",
	})
	require.NoError(t, cleanTree(root))

	remaining := map[string]bool{}
	require.NoError(t, filepath.WalkDir(root, func(path string, entry os.DirEntry, err error) error {
		require.NoError(t, err)
		if !entry.IsDir() {
			rel, _ := filepath.Rel(root, path)
			remaining[rel] = true
		}
		return nil
	}))
	assert.Equal(t, map[string]bool{
		"var/cache/apt/archives/lock": true,
		"etc/resolv.conf":             true,
		"etc/hostname":                true,
		"usr/bin/elixir":              true,
	}, remaining)

	for _, file := range []string{"etc/resolv.conf", "etc/hostname"} {
		data, err := os.ReadFile(filepath.Join(root, file))
		require.NoError(t, err)
		assert.Empty(t, data, file)
	}
}

func TestTailBufferKeepsEnd(t *testing.T) {
	tail := &tailBuffer{max: 8}
	_, err := tail.Write([]byte("0123456789"))
	require.NoError(t, err)
	_, err = tail.Write([]byte("ab"))
	require.NoError(t, err)
	assert.Equal(t, "456789ab", tail.String())
}

func TestCommandRunnerErrorShowsOutput(t *testing.T) {
	var stderr strings.Builder
	runner := &commandRunner{stderr: &stderr}
	err := runner.run(context.Background(), "sh", "-c", "echo first line; echo 'E: Failed getting release file' >&2; exit 3")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sh failed: exit status 3")
	assert.Contains(t, err.Error(), "E: Failed getting release file")
	assert.Equal(t, "E: Failed getting release file\n", stderr.String())
}

func TestCommandRunnerCancelKillsChildren(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	marker := filepath.Join(dir, "child-alive")

	done := make(chan error, 1)
	go func() {
		runner := &commandRunner{}
		// The child keeps running after its parent shell is killed unless
		// the whole process group is killed.
		done <- runner.run(ctx, "sh", "-c", "touch "+started+"; (sleep 2; touch "+marker+") & wait")
	}()
	require.Eventually(t, func() bool {
		_, err := os.Stat(started)
		return err == nil
	}, 5*time.Second, 10*time.Millisecond, "the shell did not start")

	cancel()
	require.Error(t, <-done)

	// Wait past the child's sleep: a surviving child would create the file.
	time.Sleep(3 * time.Second)
	assert.NoFileExists(t, marker)
}

func TestUnescapeMountinfo(t *testing.T) {
	assert.Equal(t, "/tmp/with space/proc", unescapeMountinfo(`/tmp/with\040space/proc`))
	assert.Equal(t, `/tmp/back\slash`, unescapeMountinfo(`/tmp/back\134slash`))
	assert.Equal(t, `/tmp/trailing\04`, unescapeMountinfo(`/tmp/trailing\04`))
}

func TestUnmountUnderDetachesMounts(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tree with space")
	source := t.TempDir()
	for _, sub := range []string{"proc", "sys"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
		require.NoError(t, unix.Mount(source, filepath.Join(dir, sub), "", unix.MS_BIND, ""), "bind mount needs root")
	}
	// Detach whatever is left before the temporary directories are removed.
	t.Cleanup(func() { _ = unmountUnder(dir) })
	// A sibling whose name starts with the tree's name is not under it.
	sibling := dir + "-sibling"
	require.NoError(t, os.MkdirAll(sibling, 0o755))
	require.NoError(t, unix.Mount(source, sibling, "", unix.MS_BIND, ""))
	t.Cleanup(func() { assert.NoError(t, unix.Unmount(sibling, unix.MNT_DETACH)) })

	mounted, err := mountPointsUnder(dir)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{filepath.Join(dir, "proc"), filepath.Join(dir, "sys")}, mounted)

	require.NoError(t, unmountUnder(dir))
	mounted, err = mountPointsUnder(dir)
	require.NoError(t, err)
	assert.Empty(t, mounted)
}
