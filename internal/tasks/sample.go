package tasks

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"

	"github.com/magefile/mage/mg"
	"golang.org/x/crypto/ssh/agent"

	"github.com/antikythera-gear/gearimage/internal/request"
	"github.com/antikythera-gear/gearimage/internal/sshagent"
)

// sampleDefaults are the settings of the sample target that the
// environment does not set.
var sampleDefaults = map[string]string{
	request.KeyGearContext.EnvName(): "examples/sample_gear",
	request.KeyMixEnv.EnvName():      "dev",
	envRunConfig:                     "examples/sample_gear/gear_docker_config.example.json",
	envRunCommand:                    "./script/docker/run_sample.sh arg1 arg2",
}

// Sample builds the offline elixir image when it is missing, builds the
// sample gear on it with the gear Dockerfile, and runs it.
func Sample(ctx context.Context, env Env) error {
	// The run's config is checked first, so a bad one stops the target
	// before the long builds.
	configPath := env.Getenv(envRunConfig)
	if configPath == "" {
		configPath = sampleDefaults[envRunConfig]
	}
	if _, err := loadRunConfig(configPath); err != nil {
		return mg.Fatalf(exitInvalid, "%s=%q: %v", envRunConfig, configPath, err)
	}

	elixirTag, err := ensureOfflineElixir(ctx, env)
	if err != nil {
		return err
	}

	values := map[string]string{request.KeyElixirImage.EnvName(): elixirTag}
	for k, v := range sampleDefaults {
		values[k] = v
	}
	// The sample gear fetches no private dependency, so when no agent is
	// running a temporary one with a throwaway key is forwarded instead.
	if env.Getenv(request.KeySSHAuthSock.EnvName()) == "" {
		sock, stop, err := startThrowawayAgent()
		if err != nil {
			return mg.Fatal(exitFailed, err)
		}
		defer stop()
		values[request.KeySSHAuthSock.EnvName()] = sock
		fmt.Fprintln(env.Stdout, "    gear: SSH_AUTH_SOCK is unset: forwarding a temporary agent with a throwaway key, enough for the sample gear")
	}
	sampleEnv := env
	sampleEnv.Getenv = func(name string) string {
		if v := env.Getenv(name); v != "" {
			return v
		}
		return values[name]
	}

	if err := Build(ctx, sampleEnv, request.TargetGear); err != nil {
		return err
	}
	return RunLocal(ctx, sampleEnv, os.Stdin)
}

// startThrowawayAgent serves an SSH agent holding one new ed25519 key.
func startThrowawayAgent() (sock string, stop func(), err error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", nil, err
	}
	server, err := sshagent.Serve(agent.AddedKey{PrivateKey: key, Comment: "gearimage sample throwaway key"})
	if err != nil {
		return "", nil, err
	}
	return server.Socket, func() { server.Close() }, nil
}
