package engine

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/versions"
)

// HostDockerInternal is the name that Docker Desktop resolves to the host,
// and that builds and containers here map to it on Linux engines.
const HostDockerInternal = "host.docker.internal"

// hostGatewayAPI is the first Engine API version (Docker 20.10) that
// resolves the special address host-gateway in extra hosts.
const hostGatewayAPI = "1.41"

// HostGatewayEntry returns the extra hosts entry that makes
// host.docker.internal resolve to the host inside builds and containers:
// host-gateway where the engine supports it, else the bridge network's
// gateway address.
func (c *Client) HostGatewayEntry(ctx context.Context) (string, error) {
	if versions.GreaterThanOrEqualTo(c.api.ClientVersion(), hostGatewayAPI) {
		return HostDockerInternal + ":host-gateway", nil
	}
	gateway, err := c.BridgeGateway(ctx)
	if err != nil {
		return "", err
	}
	return HostDockerInternal + ":" + gateway, nil
}

// BridgeGateway returns the IPv4 gateway address of the engine's default
// bridge network: the host as containers on that network see it.
func (c *Client) BridgeGateway(ctx context.Context) (string, error) {
	bridge, err := c.api.NetworkInspect(ctx, "bridge", network.InspectOptions{})
	if err != nil {
		return "", fmt.Errorf("inspect the engine's bridge network to map %s: %w", HostDockerInternal, err)
	}
	for _, cfg := range bridge.IPAM.Config {
		if cfg.Gateway != "" {
			return cfg.Gateway, nil
		}
	}
	// The default bridge often lists only its subnet. The engine then
	// gives the bridge interface the subnet's first host address.
	// NOTE: an engine started with --bip at another address inside the
	// subnet is not detected; set the address in the bridge IPAM config.
	for _, cfg := range bridge.IPAM.Config {
		prefix, err := netip.ParsePrefix(cfg.Subnet)
		if err == nil && prefix.Addr().Is4() {
			return prefix.Masked().Addr().Next().String(), nil
		}
	}
	return "", fmt.Errorf("the engine's bridge network has no gateway address to map %s to", HostDockerInternal)
}
