package dockerfiles

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the repository root seen from this package's directory, where
// go test runs.
const repoRoot = "../.."

// dockerfile is one parsed production Dockerfile.
type dockerfile struct {
	path     string
	source   []byte
	ast      *parser.Node
	metaArgs []instructions.ArgCommand
	stages   []instructions.Stage
	// warnings are the parser's warnings and the findings of the BuildKit
	// lint rules that run while parsing.
	warnings []string
}

// parseDockerfile parses a Dockerfile the way BuildKit's Dockerfile frontend
// does and fails the test on a parse error.
func parseDockerfile(t *testing.T, relPath string) *dockerfile {
	t.Helper()
	path := filepath.Join(repoRoot, relPath)
	source, err := os.ReadFile(path)
	require.NoError(t, err)

	result, err := parser.Parse(bytes.NewReader(source))
	require.NoError(t, err, "parse %s", relPath)
	var warnings []string
	for _, warning := range result.Warnings {
		warnings = append(warnings, warning.Short)
	}

	lint := linter.New(&linter.Config{Warn: func(rule, _, _, message string, _ []parser.Range) {
		warnings = append(warnings, rule+": "+message)
	}})
	stages, metaArgs, err := instructions.Parse(result.AST, lint)
	require.NoError(t, err, "instructions of %s", relPath)

	return &dockerfile{path: relPath, source: source, ast: result.AST, metaArgs: metaArgs, stages: stages, warnings: warnings}
}

// argDefault is one declared ARG and its default value, if any.
type argDefault struct {
	name       string
	hasDefault bool
}

// declaredArgs returns every ARG of the Dockerfile, before the first FROM or
// inside a stage, by name.
func (d *dockerfile) declaredArgs() map[string]argDefault {
	args := map[string]argDefault{}
	add := func(cmd *instructions.ArgCommand) {
		for _, kv := range cmd.Args {
			previous := args[kv.Key]
			args[kv.Key] = argDefault{name: kv.Key, hasDefault: previous.hasDefault || kv.Value != nil}
		}
	}
	for i := range d.metaArgs {
		add(&d.metaArgs[i])
	}
	for _, stage := range d.stages {
		for _, cmd := range stage.Commands {
			if arg, ok := cmd.(*instructions.ArgCommand); ok {
				add(arg)
			}
		}
	}
	return args
}

func (d *dockerfile) metaArgNames() []string {
	var names []string
	for _, cmd := range d.metaArgs {
		for _, kv := range cmd.Args {
			names = append(names, kv.Key)
		}
	}
	return names
}

// runCommands returns the RUN instructions of every stage with their mount
// flags evaluated. Mount values are taken literally, without expanding
// variables, which none of ours use.
func (d *dockerfile) runCommands(t *testing.T) map[string][]*instructions.RunCommand {
	t.Helper()
	runs := map[string][]*instructions.RunCommand{}
	for i, stage := range d.stages {
		for _, cmd := range stage.Commands {
			run, ok := cmd.(*instructions.RunCommand)
			if !ok {
				continue
			}
			require.NoError(t, run.Expand(func(word string) (string, error) { return word, nil }))
			runs[stageLabel(stage, i)] = append(runs[stageLabel(stage, i)], run)
		}
	}
	return runs
}

func stageLabel(stage instructions.Stage, index int) string {
	if stage.Name != "" {
		return stage.Name
	}
	return "#" + strconv.Itoa(index)
}

// mountsOfType returns the mounts of the given type with the stage each is in.
func mountsOfType(t *testing.T, d *dockerfile, mountType instructions.MountType) map[string][]*instructions.Mount {
	t.Helper()
	found := map[string][]*instructions.Mount{}
	for stage, runs := range d.runCommands(t) {
		for _, run := range runs {
			for _, mount := range instructions.GetMounts(run) {
				if mount.Type == mountType {
					found[stage] = append(found[stage], mount)
				}
			}
		}
	}
	return found
}

func allDockerfiles(t *testing.T) []*dockerfile {
	return []*dockerfile{
		parseDockerfile(t, BaseDockerfile),
		parseDockerfile(t, ElixirDockerfile),
		parseDockerfile(t, GearDockerfile),
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedCopy(values []string) []string {
	out := slices.Clone(values)
	sort.Strings(out)
	return out
}

func TestDockerfilesHaveNoWarnings(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		assert.Empty(t, d.warnings, "%s: parser and BuildKit lint warnings", d.path)
	}
}

// A `# syntax=` line makes the engine pull a frontend image, and the
// machines that build these images may reach no registry.
func TestDockerfilesHaveNoSyntaxDirective(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		syntax, _, _, found := parser.DetectSyntax(d.source)
		assert.False(t, found, "%s has a syntax directive %q", d.path, syntax)
	}
}

// The Dockerfile frontend built into Docker Engine 20.10 (1.2) runs RUN
// --mount but not heredocs.
func TestDockerfilesHaveNoHeredocs(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		for _, node := range d.ast.Children {
			assert.Empty(t, node.Heredocs, "%s line %d has a heredoc", d.path, node.StartLine)
		}
	}
}

func TestDockerfilesStartWithHeaderComment(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		firstLine, _, _ := strings.Cut(string(d.source), "\n")
		assert.True(t, strings.HasPrefix(firstLine, "# Builds "), "%s starts with %q", d.path, firstLine)
		for _, arg := range sortedKeys(d.declaredArgs()) {
			assert.Contains(t, string(d.source), "#   "+arg, "%s: header does not describe build arg %s", d.path, arg)
		}
	}
}

func TestBaseBuildArgsAreOptional(t *testing.T) {
	d := parseDockerfile(t, BaseDockerfile)
	args := d.declaredArgs()
	for _, name := range BaseBuildArgs {
		assert.Contains(t, args, name)
	}
	for name, arg := range args {
		assert.True(t, arg.hasDefault, "base build arg %s has no default, but the tool passes none", name)
	}
	require.Len(t, d.stages, 1)
	assert.Equal(t, "${os_image}", d.stages[0].BaseName)
}

func TestElixirBuildArgs(t *testing.T) {
	d := parseDockerfile(t, ElixirDockerfile)
	args := d.declaredArgs()
	assert.Equal(t, sortedCopy(ElixirBuildArgs), sortedKeys(args))
	for _, name := range ElixirBuildArgs {
		assert.False(t, args[name].hasDefault, "required build arg %s has a default", name)
	}
	assert.Equal(t, []string{"base_image"}, d.metaArgNames())
}

func TestElixirImageLabelsAndUser(t *testing.T) {
	d := parseDockerfile(t, ElixirDockerfile)
	require.Len(t, d.stages, 1)

	labels := map[string]string{}
	var user, workdir string
	var paths []string
	for _, cmd := range d.stages[0].Commands {
		switch c := cmd.(type) {
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				labels[kv.Key] = kv.Value
			}
		case *instructions.UserCommand:
			user = c.User
		case *instructions.WorkdirCommand:
			workdir = c.Path
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				if kv.Key == "PATH" {
					paths = append(paths, kv.Value)
				}
			}
		}
	}

	assert.Equal(t, "${erlang_version}", labels[ErlangVersionLabel])
	assert.Equal(t, "${elixir_version}", labels[ElixirVersionLabel])
	assert.Equal(t, "batch", user)
	assert.Equal(t, "/home/batch", workdir)
	require.NotEmpty(t, paths, "the elixir image sets no PATH")
	assert.True(t, strings.HasPrefix(paths[len(paths)-1], "/home/batch/.asdf/shims:"),
		"PATH %q does not start with the asdf shims", paths[len(paths)-1])
}

func TestGearBuildArgs(t *testing.T) {
	d := parseDockerfile(t, GearDockerfile)
	args := d.declaredArgs()
	assert.Equal(t, sortedCopy(GearBuildArgs), sortedKeys(args))
	for _, name := range GearBuildArgs {
		assert.False(t, args[name].hasDefault, "build arg %s has a default, but the tool always passes it", name)
	}
	assert.ElementsMatch(t, []string{"elixir_image", "previous_image", "mix_env"}, d.metaArgNames())
}

func TestGearStages(t *testing.T) {
	d := parseDockerfile(t, GearDockerfile)

	var names []string
	for _, stage := range d.stages {
		if stage.Name != "" {
			names = append(names, stage.Name)
		}
	}
	assert.Equal(t, GearStages, names)

	final := d.stages[len(d.stages)-1]
	assert.Equal(t, "${mix_env}", final.BaseName)
	assert.Empty(t, final.Name)
	assert.Empty(t, final.Commands, "the final stage only selects dev or prod")

	byName := map[string]instructions.Stage{}
	for _, stage := range d.stages {
		byName[stage.Name] = stage
	}
	assert.Equal(t, "${previous_image}", byName["previous"].BaseName)
	assert.Equal(t, "${elixir_image}", byName["setup"].BaseName)
	assert.Equal(t, "setup", byName["dev"].BaseName)
	assert.Equal(t, "setup", byName["prod"].BaseName)
	for _, env := range MixEnvs {
		assert.Contains(t, byName, env, "mix_env %s has no stage", env)
	}
}

// A FROM names either a build arg declared before the first FROM (the only
// ones a FROM can read) or an earlier stage.
var fromArgPattern = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

func TestFromIsArgOrStage(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		metaArgs := d.metaArgNames()
		var earlierStages []string
		for _, stage := range d.stages {
			if match := fromArgPattern.FindStringSubmatch(stage.BaseName); match != nil {
				assert.Contains(t, metaArgs, match[1], "%s: FROM %s reads an arg not declared before the first FROM", d.path, stage.BaseName)
			} else {
				assert.Contains(t, earlierStages, stage.BaseName, "%s: FROM %s is neither an arg nor an earlier stage", d.path, stage.BaseName)
			}
			if stage.Name != "" {
				earlierStages = append(earlierStages, stage.Name)
			}
		}
	}
}

func TestSecretMountIsOnlyTestSecret(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		secrets := mountsOfType(t, d, instructions.MountTypeSecret)
		if d.path != GearDockerfile {
			assert.Empty(t, secrets, "%s mounts a secret", d.path)
			continue
		}

		assert.Equal(t, []string{"prod"}, sortedKeys(secrets), "stages of the gear that mount a secret")
		for _, mount := range secrets["prod"] {
			assert.Equal(t, SecretID, mount.CacheID)
			assert.True(t, mount.Required, "secret %s is not required", mount.CacheID)
			require.NotNil(t, mount.UID, "secret %s has no uid", mount.CacheID)
			assert.EqualValues(t, 501, *mount.UID, "secret %s is not readable by batch", mount.CacheID)
		}
	}
}

func TestSSHMountIsOnlyDefault(t *testing.T) {
	for _, d := range allDockerfiles(t) {
		sshMounts := mountsOfType(t, d, instructions.MountTypeSSH)
		if d.path != GearDockerfile {
			assert.Empty(t, sshMounts, "%s mounts an SSH agent", d.path)
			continue
		}

		assert.Equal(t, []string{"setup"}, sortedKeys(sshMounts), "stages of the gear that mount an SSH agent")
		for _, mount := range sshMounts["setup"] {
			assert.Equal(t, SSHID, mount.CacheID)
			require.NotNil(t, mount.UID, "SSH mount has no uid")
			assert.EqualValues(t, 501, *mount.UID, "the SSH agent socket is not usable by batch")
		}
	}
}

// The whitebox test config may only reach mix test through the environment
// of that one RUN, so no ENV or ARG may carry it into the image.
func TestSecretNeverInEnvOrArg(t *testing.T) {
	d := parseDockerfile(t, GearDockerfile)
	for name := range d.declaredArgs() {
		assert.NotContains(t, strings.ToUpper(name), "SECRET")
	}
	for _, stage := range d.stages {
		for _, cmd := range stage.Commands {
			env, ok := cmd.(*instructions.EnvCommand)
			if !ok {
				continue
			}
			for _, kv := range env.Env {
				assert.NotContains(t, strings.ToUpper(kv.Key), "SECRET", "stage %s sets ENV %s", stage.Name, kv.Key)
			}
		}
	}
}

func TestGearKnownHostsPinGitHubKeys(t *testing.T) {
	d := parseDockerfile(t, GearDockerfile)
	source := string(d.source)
	for _, keyType := range []string{"ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"} {
		assert.Contains(t, source, "'github.com "+keyType+" AAAA", "no pinned github.com %s key", keyType)
	}
	assert.NotContains(t, source, "ssh-keyscan")
}

// Every shell-form RUN must be valid bash, the SHELL of the base image.
func TestRunCommandsAreValidBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	require.NoError(t, err, "bash is needed to check the RUN commands")

	for _, d := range allDockerfiles(t) {
		for stage, runs := range d.runCommands(t) {
			for _, run := range runs {
				if !run.PrependShell {
					continue
				}
				script := strings.Join(run.CmdLine, " ")
				out, err := exec.Command(bash, "-n", "-c", script).CombinedOutput()
				assert.NoError(t, err, "%s stage %s: RUN %s\n%s", d.path, stage, script, out)
			}
		}
	}
}

func TestGearDockerignore(t *testing.T) {
	template, err := os.ReadFile(filepath.Join(repoRoot, GearDockerignore))
	require.NoError(t, err)
	patterns, err := ignorefile.ReadAll(bytes.NewReader(template))
	require.NoError(t, err)
	matcher, err := patternmatcher.New(patterns)
	require.NoError(t, err)

	excluded := []string{
		"_build/prod/lib/gear/ebin/gear.app",
		"deps/antikythera/mix.exs",
		".git/config",
		".elixir_ls/build",
		"gear_config.json",
		"gear_test_config.json",
		"gear_docker_config.json",
		"config/prod.secret",
		"priv/keys/api.secret",
		"docker/base/EPUB_Converter/README.md",
		"magefiles/magefile.go",
		"go.mod",
		".github/workflows/ci.yml",
	}
	for _, path := range excluded {
		matched, err := matcher.MatchesOrParentMatches(path)
		require.NoError(t, err)
		assert.True(t, matched, "%s is sent in the build context", path)
	}

	included := []string{"mix.exs", "lib/gear.ex", "config/config.exs", "script/docker/run_sample.sh", "test/deps_test.exs"}
	for _, path := range included {
		matched, err := matcher.MatchesOrParentMatches(path)
		require.NoError(t, err)
		assert.False(t, matched, "%s is left out of the build context", path)
	}

	sample, err := os.ReadFile(filepath.Join(repoRoot, "examples/sample_gear/.dockerignore"))
	require.NoError(t, err)
	assert.Equal(t, string(template), string(sample), "examples/sample_gear/.dockerignore differs from the template")
}
