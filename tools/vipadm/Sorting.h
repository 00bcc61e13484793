// The order of ipvsadm's listings: libipvs's comparators (including their 32-bit wrap-around,
// which puts 192.168.1.1 before 10.0.0.1) applied by glibc's qsort, a top-down merge sort.
#pragma once

#include <vector>

#include "admin/Model.h"

namespace vipd::vipadm {

// ipvs_cmp_services / ipvs_cmp_dests: negative, zero or positive like the C functions.
int compareServices(const admin::ServiceKey& a, const admin::ServiceKey& b);
int compareReals(const admin::RealConfig& a, const admin::RealConfig& b);

void sortServices(std::vector<admin::ServiceStatus>& services);
void sortReals(std::vector<admin::RealStatus>& reals);

}  // namespace vipd::vipadm
