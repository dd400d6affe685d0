#pragma once

/// Umbrella header of the ZmqScope transport library (the C++ port of dploylib.transport).
#include <zmqscope/context.h>
#include <zmqscope/defaults.h>
#include <zmqscope/endpoint.h>
#include <zmqscope/envelope.h>
#include <zmqscope/error.h>
#include <zmqscope/names.h>
#include <zmqscope/optionvalue.h>
#include <zmqscope/pollloop.h>
#include <zmqscope/socket.h>
#include <zmqscope/version.h>
