// Preloaded (NODE_OPTIONS=--require) into a command that must stay light: loading cdktf, constructs or a
// provider binding fails the process, naming the module.
// A preload runs before any loader: plain CommonJS is the only form available here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require("node:module");

const forbidden =
  /(?:^|[\\/]node_modules[\\/])(?:cdktf|constructs|@cdktf[\\/][^\\/]+)(?:[\\/]|$)|^(?:cdktf|constructs|@cdktf\/.+)$/;
const load = Module._load;
Module._load = function (request, ...rest) {
  if (forbidden.test(request)) throw new Error(`forbidden module loaded: ${request}`);
  return load.call(this, request, ...rest);
};
