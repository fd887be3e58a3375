// The Centrifugo engine's configuration from the environment the test fixture starts
// PocketBase with (null when there is none: CLI commands such as `superuser upsert`).
module.exports = function engineFromEnv() {
  if (!$os.getenv('CENTRIFUGO_API_URL')) return null
  return {
    centrifugo: {
      apiUrl: $os.getenv('CENTRIFUGO_API_URL'),
      apiKey: $os.getenv('CENTRIFUGO_API_KEY'),
      tokenSecret: $os.getenv('CENTRIFUGO_TOKEN_SECRET'),
      url: $os.getenv('CENTRIFUGO_URL'),
    },
  }
}
