import { z } from "zod";
import { ROLES } from "@/lib/auth/roles";

export const roleSchema = z.enum(ROLES as ["owner", "admin", "approver", "auditor", "viewer"]);
export const emailSchema = z.string().trim().toLowerCase().email("Enter a valid email address.").max(254);
export const passwordSchema = z.string().min(10, "Use at least 10 characters.").max(1024);
export const tenantNameSchema = z.string().trim().min(2, "Use at least 2 characters.").max(80);

export const signUpInput = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(120),
  email: emailSchema,
  password: passwordSchema,
  tenantName: tenantNameSchema,
});

export const inviteInput = z.object({ email: emailSchema, role: roleSchema });
export const changeRoleInput = z.object({ role: roleSchema });
export const tenantSettingsInput = z.object({ name: tenantNameSchema });
export const createTenantInput = z.object({ name: tenantNameSchema });
