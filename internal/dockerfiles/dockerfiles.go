package dockerfiles

// Paths of the production Dockerfiles, relative to the repository root.
const (
	// BaseDockerfile builds the base image; its context is BaseContext.
	BaseDockerfile = "docker/base/Dockerfile"
	BaseContext    = "docker/base"

	// ElixirDockerfile builds the elixir image; its context is ElixirContext.
	ElixirDockerfile = "docker/elixir/Dockerfile"
	ElixirContext    = "docker/elixir"

	// GearDockerfile builds the gear image; its context is the gear's Mix
	// project directory.
	GearDockerfile = "Dockerfile"

	// GearDockerignore is the .dockerignore template for a gear's Mix
	// project.
	GearDockerignore = "docker/gear.dockerignore"
)

// BaseBuildArgs are the build args of the base image. All are optional.
var BaseBuildArgs = []string{"os_image"}

// ElixirBuildArgs are the build args that the tool passes to the elixir
// image build. All are required.
var ElixirBuildArgs = []string{"base_image", "erlang_version", "elixir_version"}

// GearBuildArgs are the build args that the tool passes to the gear image
// build. elixir_image, previous_image and mix_env are always required, the
// antikythera ones when mix_env is prod.
var GearBuildArgs = []string{
	"elixir_image",
	"previous_image",
	"mix_env",
	"antikythera_compile_env",
	"antikythera_runtime_env",
}

// GearStages are the named stages of the gear Dockerfile, in order. Its
// final stage is `FROM ${mix_env}`, so mix_env selects dev or prod.
var GearStages = []string{"previous", "setup", "dev", "prod"}

// MixEnvs are the values that the gear build accepts for mix_env.
var MixEnvs = []string{"dev", "prod"}

const (
	// SecretID is the id of the build secret that carries the whitebox test
	// config (gear_test_config.json) into mix test of a prod gear build.
	SecretID = "test_secret"

	// SSHID is the id of the SSH agent forwarded into mix deps.get of the
	// gear build.
	SSHID = "default"
)

// Labels that the elixir image carries, with the Erlang/OTP and Elixir
// versions it was built with.
const (
	ErlangVersionLabel = "org.antikythera.erlang-version"
	ElixirVersionLabel = "org.antikythera.elixir-version"
)
