defmodule FixtureGear do end
