'use strict';
/*
 * A verdaccio auth plugin that accepts every live credential in a file, one `user:apr1-hash`
 * line per credential, as emulator/credentials.py:CredentialFile writes it. verdaccio's own
 * htpasswd plugin keeps one password per user; a token upstream (GitLab, Artifactory) keeps
 * every unrevoked token of a user live at once, which is what lets a rotation overlap the old
 * and the new token. The file is read on every request, so an allow or a revoke takes effect at
 * once. The user `*` stands for a token accepted with any username.
 *
 * config.yaml:  auth: { credential-file: { file: /path/to/credentials.htpasswd } }
 */
const fs = require('node:fs');
const md5 = require('apache-md5');

const ANY_USER = '*';

function liveHashes(file, username) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return [];
  }
  return text
    .split(/\r?\n/)
    .map((line) => {
      const colon = line.indexOf(':');
      return colon < 0 ? null : [line.slice(0, colon), line.slice(colon + 1)];
    })
    .filter((pair) => pair !== null && (pair[0] === username || pair[0] === ANY_USER))
    .map((pair) => pair[1]);
}

module.exports = function credentialFile(config) {
  const file = config.file;
  if (typeof file !== 'string' || file === '') {
    throw new Error('credential-file: the `file` setting is required');
  }
  return {
    authenticate(username, password, callback) {
      const accepted = liveHashes(file, username).some((hash) => md5(password, hash) === hash);
      // false passes to the next plugin, verdaccio's fallback, which refuses the credential.
      callback(null, accepted ? [username] : false);
    },
  };
};
