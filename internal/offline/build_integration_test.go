package offline

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildBookwormTree runs debootstrap for real: it downloads about 80 MB
// of Debian packages from the machine's Debian archive (or DEBIAN_MIRROR).
// On a 2-core, 24 GiB machine the whole test took 88 s. It needs root,
// debootstrap and the network path to the archive that apt uses.
func TestBuildBookwormTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rootfs")
	// Registered after TempDir, so it runs before the directory is removed.
	t.Cleanup(func() { assert.NoError(t, unmountUnder(dir)) })

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	var output strings.Builder
	started := time.Now()
	err := Build(ctx, Options{Dir: dir, Stdout: &output, Stderr: &output})
	require.NoError(t, err, "output:\n%s", output.String())
	t.Logf("debootstrap and setup took %s", time.Since(started).Round(time.Second))

	t.Run("user batch", func(t *testing.T) {
		passwd, err := os.ReadFile(filepath.Join(dir, "etc/passwd"))
		require.NoError(t, err)
		assert.Contains(t, string(passwd), "batch:x:501:501::/home/batch:/bin/bash\n")
		info, err := os.Stat(filepath.Join(dir, "home/batch"))
		require.NoError(t, err)
		assert.True(t, info.IsDir())
	})

	t.Run("mix runs as batch", func(t *testing.T) {
		out := runAsBatch(t, dir, "mix --version")
		assert.Regexp(t, `Mix 1\.\d+`, out)
	})

	t.Run("mix new, test and Logger work", func(t *testing.T) {
		out := runAsBatch(t, dir, `cd /tmp && mix new probe >/dev/null && cd probe && mix test && elixir -e 'require Logger; Logger.info("logger works")'`)
		assert.Contains(t, out, "0 failures")
		assert.Contains(t, out, "[info] logger works")
	})

	t.Run("locale", func(t *testing.T) {
		out := runAsBatch(t, dir, "locale -a")
		assert.Contains(t, out, "en_US.utf8")
	})

	t.Run("no apt lists or caches", func(t *testing.T) {
		lists, err := os.ReadDir(filepath.Join(dir, "var/lib/apt/lists"))
		require.NoError(t, err)
		assert.Empty(t, lists)
		debs, err := filepath.Glob(filepath.Join(dir, "var/cache/apt/archives/*.deb"))
		require.NoError(t, err)
		assert.Empty(t, debs)
	})

	t.Run("versions", func(t *testing.T) {
		erlang, elixir, err := Versions(dir)
		require.NoError(t, err)
		assert.Regexp(t, regexp.MustCompile(`^\d+(\.\d+)+$`), erlang)
		assert.Regexp(t, regexp.MustCompile(`^1\.\d+\.\d+$`), elixir)
		t.Logf("erlang %s, elixir %s", erlang, elixir)
	})

	t.Run("tar", func(t *testing.T) {
		reader := Tar(dir)
		defer reader.Close()

		tr := tar.NewReader(reader)
		entries := map[string]*tar.Header{}
		for {
			header, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			entries[header.Name] = header
		}
		t.Logf("%d tar entries", len(entries))

		require.Contains(t, entries, "usr/bin/mix")
		require.Contains(t, entries, "home/batch/")
		assert.Equal(t, 501, entries["home/batch/"].Uid)
		assert.Contains(t, entries, "dev/")
		for name := range entries {
			assert.False(t, strings.HasPrefix(name, "dev/") && name != "dev/", "dev content %s in the tar", name)
			assert.False(t, strings.HasPrefix(name, "proc/") && name != "proc/", "proc content %s in the tar", name)
		}
	})
}

// runAsBatch runs a bash script in the tree as the user batch with the
// environment the imported image has, and returns its output.
func runAsBatch(t *testing.T, dir, script string) string {
	t.Helper()
	cmd := exec.Command("chroot", "--userspec=501:501", dir, "/bin/bash", "-c", script)
	cmd.Env = []string{
		"PATH=" + imagePath,
		"HOME=" + imageHome,
		"LANG=" + imageLocale,
		"LC_ALL=" + imageLocale,
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", script, out)
	return string(out)
}
