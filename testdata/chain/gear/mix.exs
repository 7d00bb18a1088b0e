# Fixture Mix project file: the tests only check that it reaches the image.
defmodule FixtureGear.MixProject do
  use Mix.Project

  def project, do: [app: :fixture_gear, version: "0.1.0"]
end
