package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validGear returns settings with which build:gear in prod passes every
// check, so each case changes one thing.
func validGear(t *testing.T, elixir string) map[string]string {
	agentSock, _ := testAgent(t, true)
	secret := filepath.Join(t.TempDir(), "gear_test_config.json")
	require.NoError(t, os.WriteFile(secret, []byte(`{"db": {"hostname": "localhost", "password": "p"}}`), 0o600))
	return map[string]string{
		"ELIXIR_IMAGE":            elixir,
		"GEAR_TAGS":               uniqueName("never-built"),
		"MIX_ENV":                 "prod",
		"ANTIKYTHERA_COMPILE_ENV": "dev",
		"ANTIKYTHERA_RUNTIME_ENV": "dev",
		"TEST_SECRET_FILE":        secret,
		"SSH_AUTH_SOCK":           agentSock,
	}
}

// TestValidationErrors runs build:gear with one bad setting at a time and
// checks that the run stops with exit status 2, names the setting, the
// value and the fix, and tags nothing.
func TestValidationErrors(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)

	// An elixir image that exists, so only the changed setting is wrong.
	elixir := uniqueName("elixir")
	removeImages(t, eng, uniqueName("unused"))
	base := uniqueName("base")
	removeImages(t, eng, base, elixir)
	res := runCompiled(t, repo, map[string]string{"BASE_TAGS": base}, "build:base")
	require.Equal(t, 0, res.code, res.output)
	res = runCompiled(t, repo, map[string]string{"BASE_IMAGE": base, "ELIXIR_TAGS": elixir, "ERLANG_VERSION": "25", "ELIXIR_VERSION": "1.14"}, "build:elixir")
	require.Equal(t, 0, res.code, res.output)

	dir := t.TempDir()
	emptyFile := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(emptyFile, nil, 0o600))
	notJSON := filepath.Join(dir, "not.json")
	require.NoError(t, os.WriteFile(notJSON, []byte("{\"db\": {\"password\": \"hunter2-not-json\",\n"), 0o600))
	noHost := filepath.Join(dir, "nohost.json")
	require.NoError(t, os.WriteFile(noHost, []byte(`{"db": {"password": "hunter2-no-host"}}`), 0o600))
	regularFile := filepath.Join(dir, "not-a-socket")
	require.NoError(t, os.WriteFile(regularFile, nil, 0o600))
	emptyAgent, _ := testAgent(t, false)

	cases := []struct {
		name   string
		change map[string]string
		want   []string
	}{
		{"mix env missing", map[string]string{"MIX_ENV": ""}, []string{"MIX_ENV: missing", "set it to dev or prod"}},
		{"mix env unknown", map[string]string{"MIX_ENV": "test"}, []string{`MIX_ENV="test": must be dev or prod`}},
		{"prod without compile env", map[string]string{"ANTIKYTHERA_COMPILE_ENV": ""}, []string{"ANTIKYTHERA_COMPILE_ENV: missing; it is required when MIX_ENV is prod"}},
		{"prod without runtime env", map[string]string{"ANTIKYTHERA_RUNTIME_ENV": ""}, []string{"ANTIKYTHERA_RUNTIME_ENV: missing; it is required when MIX_ENV is prod"}},
		{"prod without secret", map[string]string{"TEST_SECRET_FILE": ""}, []string{"TEST_SECRET_FILE: missing", "gear_test_config.json"}},
		{"secret file missing", map[string]string{"TEST_SECRET_FILE": filepath.Join(dir, "absent.json")}, []string{`TEST_SECRET_FILE="` + filepath.Join(dir, "absent.json") + `"`, "does not exist"}},
		{"secret is a directory", map[string]string{"TEST_SECRET_FILE": dir}, []string{`TEST_SECRET_FILE="` + dir + `"`, "directory"}},
		{"secret empty", map[string]string{"TEST_SECRET_FILE": emptyFile}, []string{`TEST_SECRET_FILE="` + emptyFile + `"`, "empty"}},
		{"secret not JSON", map[string]string{"TEST_SECRET_FILE": notJSON}, []string{`TEST_SECRET_FILE="` + notJSON + `"`, "JSON"}},
		{"secret without hostname", map[string]string{"TEST_SECRET_FILE": noHost}, []string{`TEST_SECRET_FILE="` + noHost + `"`, `has no "hostname" key`}},
		{"invalid tag", map[string]string{"GEAR_TAGS": "Not:A:Valid:Ref"}, []string{`GEAR_TAGS="Not:A:Valid:Ref": not a valid image reference`}},
		{"invalid elixir image", map[string]string{"ELIXIR_IMAGE": "Elixir"}, []string{`ELIXIR_IMAGE="Elixir": not a valid image reference`}},
		{"elixir image absent", map[string]string{"ELIXIR_IMAGE": "gearimage-test-absent-elixir"}, []string{`ELIXIR_IMAGE="gearimage-test-absent-elixir": image not found in the engine`, "mage build:elixir"}},
		{"previous image absent", map[string]string{"PREVIOUS_IMAGE": "gearimage-test-absent-gear"}, []string{`PREVIOUS_IMAGE="gearimage-test-absent-gear": image not found in the engine`}},
		{"ssh agent unset", map[string]string{"SSH_AUTH_SOCK": ""}, []string{"SSH_AUTH_SOCK", "ssh-agent"}},
		{"ssh agent not a socket", map[string]string{"SSH_AUTH_SOCK": regularFile}, []string{`SSH_AUTH_SOCK="` + regularFile + `"`, "socket"}},
		{"ssh agent without keys", map[string]string{"SSH_AUTH_SOCK": emptyAgent}, []string{`SSH_AUTH_SOCK="` + emptyAgent + `"`, "ssh-add"}},
		{"engine unreachable", map[string]string{"DOCKER_HOST": "unix://" + filepath.Join(dir, "no-engine.sock")}, []string{"DOCKER_HOST", "unix://" + filepath.Join(dir, "no-engine.sock"), "set DOCKER_HOST"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := validGear(t, elixir)
			for k, v := range tc.change {
				env[k] = v
			}
			res := runCompiled(t, repo, env, "build:gear")
			assert.Equal(t, 2, res.code, res.output)
			assert.Contains(t, res.output, "nothing was built")
			for _, want := range tc.want {
				assert.Contains(t, res.output, want)
			}
			assert.NotContains(t, res.output, "==> gear: building")
			assert.NotContains(t, res.output, "hunter2")
			if tag := env["GEAR_TAGS"]; !strings.Contains(tag, ":A:") {
				assert.False(t, imageExists(t, eng, tag), "%s was tagged", tag)
			}
		})
	}
}

// TestValidationReportsAllProblems gives several bad settings at once and
// expects every one of them in a single run.
func TestValidationReportsAllProblems(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	tags := []string{uniqueName("base"), uniqueName("elixir"), uniqueName("gear")}

	res := runCompiled(t, repo, map[string]string{
		"BASE_TAGS":        tags[0],
		"ELIXIR_TAGS":      tags[1],
		"GEAR_TAGS":        tags[2],
		"MIX_ENV":          "prod",
		"TEST_SECRET_FILE": filepath.Join(t.TempDir(), "absent.json"),
		"PROGRESS":         "fancy",
		"PREVIOUS_IMAGE":   "gearimage-test-absent-gear",
		"GEAR_CONTEXT":     "docker",
	}, "build:all")
	assert.Equal(t, 2, res.code, res.output)
	for _, want := range []string{
		"ANTIKYTHERA_COMPILE_ENV: missing",
		"ANTIKYTHERA_RUNTIME_ENV: missing",
		"TEST_SECRET_FILE=",
		`PROGRESS="fancy": unknown progress mode`,
		`PREVIOUS_IMAGE="gearimage-test-absent-gear": image not found`,
		`GEAR_CONTEXT="docker": no mix.exs`,
		"SSH_AUTH_SOCK",
		"TOOL_VERSIONS=",
	} {
		assert.Contains(t, res.output, want)
	}
	assert.NotContains(t, res.output, "==> base: building")
	for _, tag := range tags {
		assert.False(t, imageExists(t, eng, tag), "%s was tagged", tag)
	}
}

// TestCheckTargets runs check:all and check:submodules without building.
func TestCheckTargets(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	agentSock, _ := testAgent(t, true)
	require.NoError(t, os.WriteFile(filepath.Join(repo, ".tool-versions"), []byte("erlang 25.2.3\nelixir 1.14.0\n"), 0o644))
	tags := []string{uniqueName("base"), uniqueName("elixir"), uniqueName("gear")}

	res := runCompiled(t, repo, map[string]string{
		"BASE_TAGS": tags[0], "ELIXIR_TAGS": tags[1], "GEAR_TAGS": tags[2],
		"MIX_ENV": "dev", "SSH_AUTH_SOCK": agentSock,
	}, "check:all")
	assert.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "All checks of build:all passed (base, elixir, gear); nothing was built.")
	for _, tag := range tags {
		assert.False(t, imageExists(t, eng, tag), "%s was tagged", tag)
	}

	res = runCompiled(t, repo, nil, "check:submodules")
	assert.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "docker/base/EPUB_Converter is checked out at the recorded commit")

	// An uninitialised submodule, as after a clone without
	// --recurse-submodules, stops build:base with the fix.
	git(t, repo, "submodule", "deinit", "-q", "--force", "docker/base/EPUB_Converter")
	res = runCompiled(t, repo, nil, "check:submodules")
	assert.Equal(t, 2, res.code, res.output)
	assert.Contains(t, res.output, "git submodule update --init")

	res = runCompiled(t, repo, map[string]string{"BASE_TAGS": tags[0]}, "build:base")
	assert.Equal(t, 2, res.code, res.output)
	assert.Contains(t, res.output, "git submodule update --init")
	assert.False(t, imageExists(t, eng, tags[0]))
}

// TestDevNotesUnusedProdSettings expects a dev build to say which prod
// settings it does not use, and to build.
func TestDevNotesUnusedProdSettings(t *testing.T) {
	eng := newEngine(t)
	repo := fixtureRepo(t)
	agentSock, _ := testAgent(t, true)
	base, gear := uniqueName("base"), uniqueName("gear")
	removeImages(t, eng, base, gear)
	res := runCompiled(t, repo, map[string]string{"BASE_TAGS": base}, "build:base")
	require.Equal(t, 0, res.code, res.output)

	res = runCompiled(t, repo, map[string]string{
		"ELIXIR_IMAGE":            base,
		"GEAR_TAGS":               gear,
		"MIX_ENV":                 "dev",
		"ANTIKYTHERA_COMPILE_ENV": "dev",
		"TEST_SECRET_FILE":        "absent.json",
		"SSH_AUTH_SOCK":           agentSock,
	}, "build:gear")
	require.Equal(t, 0, res.code, res.output)
	assert.Contains(t, res.output, "gear: ANTIKYTHERA_COMPILE_ENV, TEST_SECRET_FILE unused: only a prod build runs mix test and the prod compile")
}
