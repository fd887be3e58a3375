/// <reference path="../pb_data/types.d.ts" />
// Two demo users, created once on the first start and printed to the console.
// Delete this file (before the first start) when you copy the starter into a real app.
migrate(
  (app) => {
    const demo = [
      { name: 'Alice', email: 'alice@example.com', password: 'alice-demo-pass' },
      { name: 'Bob', email: 'bob@example.com', password: 'bob-demo-pass' },
    ]
    const users = app.findCollectionByNameOrId('users')
    const created = []
    for (const user of demo) {
      try {
        app.findAuthRecordByEmail(users, user.email)
        continue // already there (an existing app): leave it alone
      } catch {
        // not found: create it below
      }
      const record = new Record(users)
      record.setEmail(user.email)
      record.setPassword(user.password)
      record.setVerified(true)
      record.set('name', user.name)
      app.save(record)
      created.push(user)
    }
    if (created.length) {
      console.log('Demo users of the chat starter (shown once):')
      for (const user of created) console.log(`  ${user.name}: ${user.email} / ${user.password}`)
    }
  },
  (app) => {
    for (const email of ['alice@example.com', 'bob@example.com']) {
      try {
        app.delete(app.findAuthRecordByEmail('users', email))
      } catch {
        // already gone
      }
    }
  },
)
