defmodule SampleGear.MixProject do
  use Mix.Project

  def project do
    [
      app: :sample_gear,
      version: "0.1.0",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      # No dependencies, so `mix deps.get` needs neither the network nor Hex.
      deps: []
    ]
  end

  def application do
    [
      extra_applications: [:logger],
      mod: {SampleGear.Application, []}
    ]
  end
end
