import Config

# The log line format that AWS Batch jobs of a gear print:
#   2026-12-04T13:16:12.634+00:00 [info] context=<job context> <message>
config :logger, utc_log: true

config :logger, :console,
  format: {SampleGear.LogFormatter, :format},
  metadata: [:context]
