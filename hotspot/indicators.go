package hotspot

// Indicator keys: the non-spatial counts committees review per area and
// period (table area_indicators). Counts only — never a person.
// Seed 001's six recognition criteria are judged from these where present.
const (
	// IndRegisteredUsers: drug users on the local register (người sử dụng/nghiện có hồ sơ quản lý).
	IndRegisteredUsers = "registered_users"
	// IndUsersInTreatment: registered users in counselling or treatment (target 80%).
	IndUsersInTreatment = "users_in_treatment"
	// IndUsersLeftRegister: users who met the standard to leave the register in the period (target >1%/year).
	IndUsersLeftRegister = "users_left_register"
	// IndUsersOfferedServices: users and post-rehab people detected, registered and offered services (criterion 6).
	IndUsersOfferedServices = "users_offered_services"
	// IndHouseholdsTotal and IndHouseholdsReached: prevention outreach (criterion 2).
	IndHouseholdsTotal   = "households_total"
	IndHouseholdsReached = "households_reached"
	// IndHighRiskTotal and IndHighRiskReached: the locally defined high-risk group (criterion 2).
	IndHighRiskTotal   = "high_risk_total"
	IndHighRiskReached = "high_risk_reached"
	// IndCasesTotal and IndCasesTracedToUsers: trafficking/storing/producing/organising cases and
	// those investigated back to the users (criterion 4).
	IndCasesTotal         = "cases_total"
	IndCasesTracedToUsers = "cases_traced_to_users"
	// IndPlantAreaFoundM2 and IndPlantAreaDestroyedM2: illegal drug-plant area (criterion 5, target 100%).
	IndPlantAreaFoundM2     = "plant_area_found_m2"
	IndPlantAreaDestroyedM2 = "plant_area_destroyed_m2"
	// IndPublicUseReports: reports of drug use in public places (criterion 6: none).
	IndPublicUseReports = "public_use_reports"
)

// IndicatorKeys lists every known indicator key, in display order.
var IndicatorKeys = []string{
	IndRegisteredUsers, IndUsersInTreatment, IndUsersLeftRegister, IndUsersOfferedServices,
	IndHouseholdsTotal, IndHouseholdsReached, IndHighRiskTotal, IndHighRiskReached,
	IndCasesTotal, IndCasesTracedToUsers, IndPlantAreaFoundM2, IndPlantAreaDestroyedM2,
	IndPublicUseReports,
}
