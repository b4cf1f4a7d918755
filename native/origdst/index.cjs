/* eslint-disable @typescript-eslint/no-require-imports */
module.exports = require('./build/Release/origdst.node');
