// Package request defines what one run of the tool is asked to do, fills in
// the defaults, and checks the values that need nothing but themselves.
//
// A Request does not know where its values came from: the Mage targets fill
// it from environment variables and the GitHub Action from its inputs. Each
// setting has one key, which is the Action input name; the environment
// variable is the key in upper case.
package request

import "strings"

// Key names one setting. It is the GitHub Action input name; EnvName gives
// the environment variable.
type Key string

// Settings of a run.
const (
	KeyTarget                = Key("target")
	KeyMixEnv                = Key("mix_env")
	KeyAntikytheraCompileEnv = Key("antikythera_compile_env")
	KeyAntikytheraRuntimeEnv = Key("antikythera_runtime_env")
	KeyBaseImage             = Key("base_image")
	KeyElixirImage           = Key("elixir_image")
	KeyPreviousImage         = Key("previous_image")
	KeyTestSecretFile        = Key("test_secret_file")
	KeyTestSecret            = Key("test_secret")
	KeyBaseTags              = Key("base_tags")
	KeyElixirTags            = Key("elixir_tags")
	KeyGearTags              = Key("gear_tags")
	KeyBaseContext           = Key("base_context")
	KeyElixirContext         = Key("elixir_context")
	KeyGearContext           = Key("gear_context")
	KeyBaseDockerfile        = Key("base_dockerfile")
	KeyElixirDockerfile      = Key("elixir_dockerfile")
	KeyGearDockerfile        = Key("gear_dockerfile")
	KeyErlangVersion         = Key("erlang_version")
	KeyElixirVersion         = Key("elixir_version")
	KeyToolVersions          = Key("tool_versions")
	KeySubmodule             = Key("submodule")
	KeySSHAuthSock           = Key("ssh_auth_sock")
	KeyProgress              = Key("progress")
	KeyNoCache               = Key("no_cache")
	// KeyDockerHost names the engine address in problems. It is read by
	// the Docker client library itself, from DOCKER_HOST.
	KeyDockerHost = Key("docker_host")
)

// EnvName returns the environment variable that sets k, such as MIX_ENV.
func (k Key) EnvName() string { return strings.ToUpper(string(k)) }

// Setting documents one setting for help texts and the README.
type Setting struct {
	Key     Key
	Default string
	Allowed string
	Usage   string
}

// Defaults of the settings that have one.
const (
	DefaultBaseTag          = "raise-base-local"
	DefaultElixirTag        = "raise-elixir-local"
	DefaultGearTag          = "raise-gear-local"
	DefaultBaseContext      = "docker/base"
	DefaultElixirContext    = "docker/elixir"
	DefaultGearContext      = "."
	DefaultGearDockerfile   = "Dockerfile"
	DefaultSubmodule        = "docker/base/EPUB_Converter"
	DefaultProgress         = "auto"
	dockerfileName          = "Dockerfile"
	toolVersionsName        = ".tool-versions"
	noSubmodule             = "none"
	mixEnvDev, mixEnvProd   = "dev", "prod"
	progressAuto            = "auto"
	progressTTY             = "tty"
	progressPlain           = "plain"
	progressQuiet           = "quiet"
	allowedProgressAsString = "auto, tty, plain, quiet"
)

// Settings lists every setting with its default and allowed values, in the
// order help texts show them.
var Settings = []Setting{
	{KeyMixEnv, "", "dev, prod", "MIX_ENV the gear is compiled with; prod runs mix test first (gear builds)"},
	{KeyAntikytheraCompileEnv, "", "any non-empty value", "ANTIKYTHERA_COMPILE_ENV for the prod compile (required when {mix_env} is prod)"},
	{KeyAntikytheraRuntimeEnv, "", "any non-empty value", "ANTIKYTHERA_RUNTIME_ENV of the prod image (required when {mix_env} is prod)"},
	{KeyBaseImage, "the first of {base_tags}", "image reference present in the engine", "base image the elixir image is built FROM (not with target all, which builds it)"},
	{KeyElixirImage, "the first of {elixir_tags}", "image reference present in the engine", "elixir image the gear is built FROM (not with target all, which builds it)"},
	{KeyPreviousImage, "unset: build from scratch", "image reference present in the engine", "gear or elixir image whose _build and deps are copied in first"},
	{KeyTestSecretFile, "", "path to a JSON file with db.hostname", "gear_test_config.json handed to mix test as build secret test_secret (required when {mix_env} is prod)"},
	{KeyTestSecret, "", "JSON document with db.hostname", "the content of gear_test_config.json, instead of {test_secret_file}; a secret, never printed"},
	{KeyBaseTags, DefaultBaseTag, "image references, separated by commas or newlines", "tags of the built base image"},
	{KeyElixirTags, DefaultElixirTag, "image references, separated by commas or newlines", "tags of the built elixir image"},
	{KeyGearTags, DefaultGearTag, "image references, separated by commas or newlines", "tags of the built gear image"},
	{KeyBaseContext, DefaultBaseContext, "directory", "build context of the base image"},
	{KeyElixirContext, DefaultElixirContext, "directory", "build context of the elixir image"},
	{KeyGearContext, DefaultGearContext, "directory", "build context of the gear image: the Mix project"},
	{KeyBaseDockerfile, "{base_context}/Dockerfile", "file", "Dockerfile of the base image"},
	{KeyElixirDockerfile, "{elixir_context}/Dockerfile", "file", "Dockerfile of the elixir image"},
	{KeyGearDockerfile, DefaultGearDockerfile, "file", "Dockerfile of the gear image (by default at the repository root, outside a {gear_context} of its own)"},
	{KeyErlangVersion, "from {tool_versions}", "version such as 25.2.3", "Erlang version of the elixir image"},
	{KeyElixirVersion, "from {tool_versions}", "version such as 1.14.0", "Elixir version of the elixir image"},
	{KeyToolVersions, "{gear_context}/.tool-versions", "asdf .tool-versions file", "file the Erlang and Elixir versions are read from"},
	{KeySubmodule, DefaultSubmodule, "path in the git checkout, or none", "EPUB_Converter submodule checked before the base image is built"},
	{KeySSHAuthSock, "", "unix socket of an SSH agent with keys", "SSH agent forwarded to the gear build with id default"},
	{KeyProgress, DefaultProgress, allowedProgressAsString, "progress display: tty when attached to a terminal with auto, plain otherwise"},
	{KeyNoCache, "false", "true, false", "build without the engine's build cache"},
}
