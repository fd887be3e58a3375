// Unit tests of which origins may receive the user's token (ext/src/origins.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mayGetToken } from '../../.build/ext/origins.mjs';

const page = 'https://app.example.com/chat?room=1';
const none = { url: '', pb: null, tokenOrigins: [] };

test('the page\'s own origin gets the token, whatever the path or a relative sse-connect', () => {
  for (const url of ['https://app.example.com', 'https://app.example.com/pb', '/pb', '', 'https://APP.example.com:443/x']) {
    assert.equal(mayGetToken(new URL(url, page).href, none, page), true, url);
  }
});

test('any other origin is refused without a setting naming it', () => {
  for (const url of [
    'https://evil.example',
    'http://app.example.com', // another scheme
    'https://app.example.com:8443', // another port
    'https://app.example.com.evil.example', // look-alike host
    'https://evil.example/https://app.example.com',
    'https://app.example.com@evil.example',
    'https://sub.app.example.com',
  ]) {
    assert.equal(mayGetToken(url, none, page), false, url);
  }
  // as sse-connect values, resolved against the page the way the extension does
  for (const value of ['//evil.example', '\\\\evil.example', 'http:evil.example', 'https://evil.example/', ' https://evil.example']) {
    assert.equal(mayGetToken(new URL(value, page).href, none, page), false, value);
  }
});

test('config.url, the SDK\'s baseURL (or the older baseUrl) and tokenOrigins each trust their origin only', () => {
  const api = 'https://api.example.com/pb/';
  assert.equal(mayGetToken('https://api.example.com/pb', { ...none, url: api }, page), true);
  assert.equal(mayGetToken('https://api.example.com/other', { ...none, url: api }, page), true, 'the origin counts, not the path');
  assert.equal(mayGetToken('https://api.example.com:8443', { ...none, url: api }, page), false);
  assert.equal(mayGetToken('https://api.example.com', { ...none, pb: { baseURL: 'https://api.example.com' } }, page), true);
  assert.equal(mayGetToken('https://api.example.com', { ...none, pb: { baseUrl: 'https://api.example.com' } }, page), true);
  assert.equal(mayGetToken('https://app.example.com', { ...none, pb: { baseURL: '/' } }, page), true, 'the SDK\'s default "/" is the page');
  assert.equal(mayGetToken('https://evil.example', { ...none, pb: { baseURL: '/' } }, page), false);
  const listed = { ...none, tokenOrigins: ['https://a.example', 'http://127.0.0.1:8091/'] };
  assert.equal(mayGetToken('https://a.example/x', listed, page), true);
  assert.equal(mayGetToken('http://127.0.0.1:8091', listed, page), true);
  assert.equal(mayGetToken('http://127.0.0.1:8092', listed, page), false);
  assert.equal(mayGetToken('http://a.example', listed, page), false, 'the scheme counts');
});

test('opaque origins and settings that are not URLs never trust anything else', () => {
  const filePage = 'file:///home/me/index.html';
  assert.equal(mayGetToken('data:text/plain,x', none, filePage), false, 'two opaque "null" origins do not match');
  assert.equal(mayGetToken('file:///other.html', none, filePage), false);
  assert.equal(mayGetToken('https://evil.example', { ...none, tokenOrigins: ['http://[bad'] }, page), false);
  assert.equal(mayGetToken('https://evil.example', { ...none, tokenOrigins: 'evil.example' }, page), false, 'a bare host name is a relative path of the page');
  assert.equal(mayGetToken('https://evil.example', { ...none, tokenOrigins: 'https://evil.example' }, page), true, 'a single string is taken as a list of one');
  assert.equal(mayGetToken('https://evil.example', { ...none, tokenOrigins: undefined }, page), false);
  assert.equal(mayGetToken('https://app.example.com', { ...none, tokenOrigins: undefined }, page), true);
});
