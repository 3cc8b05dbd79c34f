// Calls every public method of frappe-js-sdk 1.14.1, unmodified, against a live FLRTS server
// and prints one JSON object: {step: {ok, value} | {ok: false, error}}. The pytest side
// (tests/api/clients/test_frappe_js_sdk.py) says what each answer must be.
//
// usage: node run.cjs <url> <api_key> <api_secret> <username> <password> <site_name> <email>
// (<email>: someone to send a password-reset mail to)
'use strict';

const { FrappeApp } = require('frappe-js-sdk');
// File is global from Node 20; Debian 12's Node 18 has it in `buffer`
const File = globalThis.File || require('buffer').File;

const [url, key, secret, username, password, siteName, resetEmail] = process.argv.slice(2);
const app = new FrappeApp(url, { useToken: true, token: () => `${key}:${secret}`, type: 'token' });
const db = app.db();
const auth = app.auth();
const call = app.call();
const results = {};

async function step(name, fn) {
  try {
    const value = await fn();
    results[name] = { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    // the SDK throws a plain object: {httpStatus, exception, exc_type, message, ...}
    const shown = error && typeof error === 'object' ? { ...error } : { message: String(error) };
    if (error instanceof Error) shown.message = error.message;
    results[name] = { ok: false, error: shown };
  }
  return results[name];
}

async function main() {
  // FrappeAuth
  await step('auth.loginWithUsernamePassword', () =>
    auth.loginWithUsernamePassword({ username, password }),
  );
  await step('auth.loginWithUsernamePassword.wrong', () =>
    auth.loginWithUsernamePassword({ username, password: 'wrong-password' }),
  );
  await step('auth.getLoggedInUser', () => auth.getLoggedInUser());
  await step('auth.forgetPassword', () => auth.forgetPassword(resetEmail));

  // FrappeDB: documents
  const created = await step('db.createDoc', () =>
    db.createDoc('Task', { subject: 'From the JS SDK', priority: 'High', site: siteName }),
  );
  const name = created.ok ? created.value.name : 'missing';
  await step('db.createDoc.missingMandatory', () => db.createDoc('Task', { priority: 'Low' }));
  await step('db.getDoc', () => db.getDoc('Task', name));
  await step('db.getDoc.missing', () => db.getDoc('Task', 'TASK-0000-00000'));
  await step('db.getDocList', () =>
    db.getDocList('Task', {
      fields: ['name', 'subject', 'priority'],
      filters: [['priority', '=', 'High']],
      orFilters: [['subject', 'like', '%JS SDK%'], ['subject', 'like', '%nothing%']],
      orderBy: { field: 'creation', order: 'desc' },
      limit_start: 0,
      limit: 10,
    }),
  );
  await step('db.getDocList.groupBy', () =>
    db.getDocList('Task', {
      fields: ['priority', 'count(name) as total'],
      groupBy: 'priority',
      orderBy: { field: 'priority', order: 'asc' },
      limit: 100,
    }),
  );
  await step('db.getDocList.asList', () =>
    db.getDocList('Task', { fields: ['name'], filters: [['name', '=', name]], asDict: false }),
  );
  await step('db.getDocList.noArgs', () => db.getDocList('Task'));
  await step('db.getCount', () => db.getCount('Task', [['priority', '=', 'High']]));
  await step('db.getCount.all', () => db.getCount('Task'));
  await step('db.getLastDoc', () => db.getLastDoc('Task'));
  await step('db.updateDoc', () => db.updateDoc('Task', name, { priority: 'Urgent' }));
  await step('db.getValue', () => db.getValue('Task', 'priority', [['name', '=', name]]));
  await step('db.getValue.many', () =>
    db.getValue('Task', ['subject', 'priority'], [['name', '=', name]]),
  );
  await step('db.setValue', () => db.setValue('Task', name, 'status', 'Working'));
  await step('db.setValue.object', () =>
    db.setValue('Task', name, { status: 'Open', priority: 'Low' }),
  );
  await step('db.getSingleValue', () => db.getSingleValue('Monitor Settings', 'daily_cost_budget'));
  const renamed = `${name}-JS`;
  await step('db.renameDoc', () => db.renameDoc('Task', name, renamed));

  // submit / cancel on the submittable Field Report
  const report = await step('db.createDoc.report', () =>
    db.createDoc('Field Report', { summary: 'JS SDK report', site: siteName }),
  );
  if (report.ok) {
    await step('db.submit', () => db.submit({ ...report.value, doctype: 'Field Report' }));
    await step('db.updateDoc.afterSubmit', () =>
      db.updateDoc('Field Report', report.value.name, { summary: 'changed' }),
    );
    await step('db.cancel', () => db.cancel('Field Report', report.value.name));
  }

  // FrappeFileUpload
  if (report.ok) {
    const file = new File([Buffer.from('photo bytes')], 'photo.jpg', { type: 'image/jpeg' });
    await step('file.uploadFile', async () => {
      const response = await app.file().uploadFile(file, {
        isPrivate: true,
        doctype: 'Field Report',
        docname: report.value.name,
        fieldname: 'attachments',
      });
      return response.data;
    });
  }

  // FrappeCall
  await step('call.get', () => call.get('frappe.client.get_count', { doctype: 'Task' }));
  await step('call.post', () =>
    call.post('frappe.client.get_list', { doctype: 'Task', fields: ['name'], limit_page_length: 1 }),
  );
  await step('call.put', () =>
    call.put('frappe.client.set_value', {
      doctype: 'Task',
      name: renamed,
      fieldname: 'priority',
      value: 'Medium',
    }),
  );
  await step('call.delete', () =>
    call.delete('frappe.client.delete', { doctype: 'Task', name: renamed }),
  );
  await step('db.deleteDoc', async () => {
    const other = await db.createDoc('Task', { subject: 'Delete me' });
    return db.deleteDoc('Task', other.name);
  });
  await step('call.get.unknownMethod', () => call.get('frappe.client.nosuchfn'));

  await step('auth.logout', () => auth.logout());
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
