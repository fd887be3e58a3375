// Entry of the Centrifugo bundle (`pocketbase-sse-centrifugo.min.js`): the same extension,
// registered under the same name, whose connections go to Centrifugo (see engine-connection.ts;
// the build swaps that module in for connection.js). Pages keep their markup.

export * from './index.js';
