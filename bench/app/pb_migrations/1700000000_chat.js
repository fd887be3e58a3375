/// Benchmark collection `chat`: subscribers of the topic `chat` also receive its record events,
/// which is how the `native` strategy reaches them. Guests may list, view and create.
migrate((app) => {
  const collection = new Collection({
    type: 'base',
    name: 'chat',
    listRule: '',
    viewRule: '',
    createRule: '',
    fields: [{ name: 'html', type: 'text', max: 20000 }],
  })
  app.save(collection)
}, (app) => {
  app.delete(app.findCollectionByNameOrId('chat'))
})
