package engine

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

// readTar returns the regular files of a tar stream with their content.
func readTar(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	files := map[string]string{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		require.NoError(t, err)
		if hdr.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[hdr.Name] = string(data)
		}
	}
}

func names(files map[string]string) []string {
	out := make([]string, 0, len(files))
	for n := range files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func TestOpenContextHonoursDockerignore(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile":            "FROM scratch\n",
		".dockerignore":         "_build\ndeps\n*.secret\nDockerfile\n.dockerignore\n!keep.secret\n",
		"mix.exs":               "project",
		"lib/gear.ex":           "code",
		"_build/dev/x.beam":     "beam",
		"deps/dep/mix.exs":      "dep",
		"gear_config.secret":    "password",
		"keep.secret":           "kept",
		"gear_test_config.json": "{}",
	})

	ctx, err := openContext(dir, filepath.Join(dir, "Dockerfile"), nil)
	require.NoError(t, err)
	defer ctx.Close()

	assert.Equal(t, "Dockerfile", ctx.dockerfile)
	files := readTar(t, ctx)
	// The Dockerfile and .dockerignore are sent even when listed, because
	// the engine reads them.
	assert.Equal(t, []string{".dockerignore", "Dockerfile", "gear_test_config.json", "keep.secret", "lib/gear.ex", "mix.exs"}, names(files))
}

func TestOpenContextAddsOutsideDockerfile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"Dockerfile":            "FROM scratch\nCOPY . /gear\n",
		"project/mix.exs":       "project",
		"project/.dockerignore": "deps\n",
		"project/deps/x":        "dep",
	})

	ctx, err := openContext(filepath.Join(root, "project"), filepath.Join(root, "Dockerfile"), nil)
	require.NoError(t, err)
	defer ctx.Close()

	assert.Equal(t, ".gearimage.Dockerfile", ctx.dockerfile)
	files := readTar(t, ctx)
	assert.Equal(t, "FROM scratch\nCOPY . /gear\n", files[ctx.dockerfile])
	assert.Equal(t, "project", files["mix.exs"])
	assert.NotContains(t, files, "deps/x")
	// Engines that apply the ignore file leave the added files out of COPY.
	assert.Equal(t, "deps\n\n.gearimage.Dockerfile\n.dockerignore\n", files[".dockerignore"])
}

func TestOpenContextErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := openContext(dir, filepath.Join(dir, "..", "absent", "Dockerfile"), nil)
	assert.ErrorContains(t, err, "read Dockerfile")

	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM scratch\n", ".dockerignore": "[\n"})
	_, err = openContext(dir, filepath.Join(dir, "Dockerfile"), nil)
	assert.Error(t, err)
}

func TestOpenContextLeavesOutExcludedFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile":                   "FROM scratch\n",
		"mix.exs":                      "project",
		"config/gear_test_config.json": "secret",
		"odd[1]*.json":                 "secret too",
		"odd1x.json":                   "kept",
	})
	outside := filepath.Join(t.TempDir(), "gear_test_config.json")

	ctx, err := openContext(dir, filepath.Join(dir, "Dockerfile"), []string{
		filepath.Join(dir, "config", "gear_test_config.json"),
		filepath.Join(dir, "odd[1]*.json"),
		outside,
	})
	require.NoError(t, err)
	defer ctx.Close()

	assert.Equal(t, []string{"Dockerfile", "mix.exs", "odd1x.json"}, names(readTar(t, ctx)))
}
