/// <reference path="../pb_data/types.d.ts" />
// The chat's `messages` collection. Anyone may read the chat; a signed-in user may create a
// message only as themselves; nobody edits or deletes through the API (superusers can, in the
// dashboard). The starter's own routes write messages with the server's rights.
migrate(
  (app) => {
    const users = app.findCollectionByNameOrId('users')
    const messages = new Collection({
      type: 'base',
      name: 'messages',
      listRule: '',
      viewRule: '',
      createRule: '@request.auth.collectionName = "users" && @request.body.author = @request.auth.id',
      updateRule: null,
      deleteRule: null,
      fields: [
        { name: 'text', type: 'text', required: true, max: 1000 },
        { name: 'author', type: 'relation', required: true, collectionId: users.id, maxSelect: 1, cascadeDelete: true },
        { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
      ],
      indexes: ['CREATE INDEX idx_messages_created ON messages (created)'],
    })
    app.save(messages)
  },
  (app) => {
    app.delete(app.findCollectionByNameOrId('messages'))
  },
)
