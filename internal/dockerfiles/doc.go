// Package dockerfiles describes the contract between the tool and the three
// production Dockerfiles (base, elixir and gear). It names where they are,
// which build args the tool passes to each, the gear stages, the build secret
// and SSH mount ids, and the labels of the elixir image. Its tests parse the
// Dockerfiles with BuildKit's parser and check them against that contract.
package dockerfiles
