// The markdown renderer: every example of cli.md §8.4, plus the title rule and code-point order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, sectionTitle } from '../../src/cli/markdown.js';

test('namespace wraps the result and adds one trailing newline', () => {
  assert.equal(renderMarkdown({ title: 'Main' }, { namespace: 'data' }), '<begin data>\n# Title\n\nMain\n</end data>\n');
});

test('null, blank string, empty array and empty object render None', () => {
  assert.equal(renderMarkdown({ a: null, b: '', c: [], d: {} }), '# A\n\nNone\n\n# B\n\nNone\n\n# C\n\nNone\n\n# D\n\nNone');
});

test('primitive arrays become bullets', () => {
  assert.equal(renderMarkdown({ tags: ['important', 'urgent'] }), '# Tags\n\n  - important\n  - urgent');
});

test('nested objects are wrapped in begin/end blocks', () => {
  assert.equal(renderMarkdown({ meta: { a: 1 } }), '# Meta\n\n<begin meta>\n# A\n\n1\n</end meta>');
});

test('wrap fields and sorted keys', () => {
  assert.equal(
    renderMarkdown({ user_name: 'bob', content: '## H\n- a' }, { wrapFields: ['content'] }),
    '# Content\n\n<begin content>\n## H\n- a\n</end content>\n\n# User Name\n\nbob',
  );
});

test('a top-level array of objects renders each object, separated by a blank line', () => {
  assert.equal(renderMarkdown([{ a: 1 }, { b: true }]), '# A\n\n1\n\n# B\n\ntrue');
});

test('a mixed array stops at the first nested array', () => {
  assert.equal(renderMarkdown({ mixed: [1, [2, 3], 4] }), '# Mixed\n\n<begin mixed>\n  - 2\n  - 3\n</end mixed>');
});

test('excluded fields: None when nested, empty at top level', () => {
  assert.equal(renderMarkdown({ k: { x: null } }, { excludeFields: ['x'] }), '# K\n\n<begin k>\nNone\n</end k>');
  assert.equal(renderMarkdown({ x: 1 }, { excludeFields: ['x'] }), '');
  assert.equal(renderMarkdown({ x: 1 }, { excludeFields: ['x'], namespace: 'ns' }), '', 'no wrapper around an empty result');
});

test('a plain string body and an empty body', () => {
  assert.equal(renderMarkdown('hello', { namespace: 'x' }), '<begin x>\nhello\n</end x>\n');
  assert.equal(renderMarkdown(''), 'None');
  assert.equal(renderMarkdown('  ', { namespace: '  ' }), 'None', 'a blank namespace adds no wrapper');
});

test('the larger example of §8.4', () => {
  const input = {
    id: 'msg_1',
    created_at: 1700000000,
    object: 'list',
    data: [
      { id: 'a', tags: ['x', ''], meta: { score: 0.5 } },
      { id: 'b', tags: [], meta: {} },
    ],
    usage: null,
    note: '  ',
  };
  const expected = [
    '<begin data>',
    '# Created At', '', '1700000000', '',
    '# Data', '', '<begin data>',
    '# Id', '', '<begin id>', 'a', '</end id>', '',
    '# Tags', '', '  - x', '  - None', '',
    '# Id', '', '<begin id>', 'b', '</end id>', '',
    '# Tags', '', 'None',
    '</end data>', '',
    '# Id', '', '<begin id>', 'msg_1', '</end id>', '',
    '# Note', '', 'None', '',
    '# Object', '', 'list',
    '</end data>', '',
  ].join('\n');
  assert.equal(renderMarkdown(input, { namespace: 'data', excludeFields: ['usage', 'meta'], wrapFields: ['id'] }), expected);
});

test('section titles split on _ and -, upper-case ASCII first letters only', () => {
  assert.equal(sectionTitle('created_at'), 'Created At');
  assert.equal(sectionTitle('userID'), 'UserID');
  assert.equal(sectionTitle('__meta'), 'Meta');
  assert.equal(sectionTitle('x-rate--limit'), 'X Rate Limit');
  assert.equal(sectionTitle('élan_1st'), 'élan 1st');
});

test('keys are ordered by code point, not UTF-16 code unit', () => {
  // U+FF5E (one UTF-16 unit, 0xFF5E) sorts before U+1F600 (surrogate pair starting 0xD83D) by code point.
  assert.equal(renderMarkdown({ '😀': 1, '～': 2 }), '# ～\n\n2\n\n# 😀\n\n1');
});

test('numbers and booleans in bullets, null items become None', () => {
  assert.equal(renderMarkdown({ v: [1.5, false, null, ' '] }), '# V\n\n  - 1.5\n  - false\n  - None\n  - None');
  assert.equal(renderMarkdown([1, { a: 1 }]), '<begin items>\n# A\n\n1\n</end items>');
});
