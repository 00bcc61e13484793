// ipvs_strerror as vipadm applies it to vipd's errno values: the operation's own messages,
// the generic ones, the strerror fallback, and which operation each request stands for.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "ipvsadm/Errors.h"

namespace vipd::ipvsadm::test {
namespace {

TEST(VipadmErrors, OperationSpecificMessages) {
  EXPECT_EQ(ipvsStrerror(Operation::addService, EEXIST), "Service already exists");
  EXPECT_EQ(ipvsStrerror(Operation::addService, ENOENT),
            "Scheduler or persistence engine not found");
  EXPECT_EQ(ipvsStrerror(Operation::editService, ENOENT),
            "Scheduler or persistence engine not found");
  EXPECT_EQ(ipvsStrerror(Operation::editService, ESRCH), "No such service");
  EXPECT_EQ(ipvsStrerror(Operation::deleteService, ESRCH), "No such service");
  EXPECT_EQ(ipvsStrerror(Operation::zeroService, ESRCH), "No such service");
  EXPECT_EQ(ipvsStrerror(Operation::getService, ESRCH), "No such service");
  EXPECT_EQ(ipvsStrerror(Operation::addServer, ESRCH), "Service not defined");
  EXPECT_EQ(ipvsStrerror(Operation::editServer, ESRCH), "Service not defined");
  EXPECT_EQ(ipvsStrerror(Operation::deleteServer, ESRCH), "Service not defined");
  EXPECT_EQ(ipvsStrerror(Operation::addServer, EEXIST), "Destination already exists");
  EXPECT_EQ(ipvsStrerror(Operation::editServer, ENOENT), "No such destination");
  EXPECT_EQ(ipvsStrerror(Operation::deleteServer, ENOENT), "No such destination");
  EXPECT_EQ(ipvsStrerror(Operation::startDaemon, EEXIST), "Daemon has already run");
  EXPECT_EQ(ipvsStrerror(Operation::stopDaemon, ESRCH), "No daemon is running");
}

TEST(VipadmErrors, InitFailureIsIpvsadmsTwoLines) {
  const std::string root =
      "Can't initialize ipvs: Permission denied (you must be root)\n"
      "Are you sure that IP Virtual Server is built in the kernel or as module?";
  EXPECT_EQ(initFailure(EPERM), root);
  EXPECT_EQ(initFailure(EACCES), root);
  EXPECT_EQ(initFailure(ENOPROTOOPT),
            "Can't initialize ipvs: Protocol not available\n"
            "Are you sure that IP Virtual Server is built in the kernel or as module?");
}

TEST(VipadmErrors, GenericMessages) {
  for (Operation op : {Operation::addService, Operation::deleteServer, Operation::flush}) {
    EXPECT_EQ(ipvsStrerror(op, EPERM), "Permission denied (you must be root)");
    EXPECT_EQ(ipvsStrerror(op, EINVAL),
              "Invalid operation.  Possibly wrong module version, address not unicast, ...");
    EXPECT_EQ(ipvsStrerror(op, ENOPROTOOPT), "Protocol not available");
    EXPECT_EQ(ipvsStrerror(op, ENOMEM), "Memory allocation problem");
    EXPECT_EQ(ipvsStrerror(op, EOPNOTSUPP), "Operation not supported with IPv6");
    EXPECT_EQ(ipvsStrerror(op, EAFNOSUPPORT),
              "Operation not supported with specified address family");
    EXPECT_EQ(ipvsStrerror(op, EMSGSIZE), "Module is wrong version");
  }
}

TEST(VipadmErrors, OtherOperationsFallBackToStrerror) {
  // The meanings are per operation: EEXIST from a flush or an edit is just strerror.
  EXPECT_EQ(ipvsStrerror(Operation::flush, EEXIST), std::strerror(EEXIST));
  EXPECT_EQ(ipvsStrerror(Operation::editService, EEXIST), std::strerror(EEXIST));
  EXPECT_EQ(ipvsStrerror(Operation::addService, ESRCH), std::strerror(ESRCH));
  EXPECT_EQ(ipvsStrerror(Operation::setTimeouts, EBUSY), std::strerror(EBUSY));
}

TEST(VipadmErrors, OperationOfRequest) {
  admin::Request r;
  r.command = admin::Command::list;
  EXPECT_EQ(operationOf(r), Operation::getServices);
  r.key = admin::ServiceKey{};
  EXPECT_EQ(operationOf(r), Operation::getService);
  r.command = admin::Command::addReal;
  EXPECT_EQ(operationOf(r), Operation::addServer);
  r.command = admin::Command::clear;
  EXPECT_EQ(operationOf(r), Operation::flush);
  r.command = admin::Command::zero;
  EXPECT_EQ(operationOf(r), Operation::zeroService);
  r.command = admin::Command::listConnections;
  EXPECT_EQ(operationOf(r), Operation::getConnections);
  // ipvsadm reads the table from /proc: no errno has a meaning of its own there.
  EXPECT_EQ(ipvsStrerror(Operation::getConnections, ESRCH), std::strerror(ESRCH));
  EXPECT_EQ(ipvsStrerror(Operation::getConnections, ENOMEM), "Memory allocation problem");
}

}  // namespace
}  // namespace vipd::ipvsadm::test
