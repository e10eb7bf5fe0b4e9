const tags = (n, p) => Array.from({ length: n }, (_, i) => ({ Key: `${p}${i}`, Value: 'v' }));
await show('51', iam.call('CreateRole', { RoleName: 'r1', AssumeRolePolicyDocument: TRUST_EC2, Tags: tags(51,'k') }));
await show('create', iam.call('CreateRole', { RoleName: 'r1', AssumeRolePolicyDocument: TRUST_EC2 }));
await show('badarn', iam.call('AttachRolePolicy', { RoleName: 'r1', PolicyArn: 'not-an-arn' }));
await show('badarn2', iam.call('AttachRolePolicy', { RoleName: 'r1', PolicyArn: 'arn:aws:iam::bad' }));
await show('badarn3', iam.call('AttachRolePolicy', { RoleName: 'r1', PolicyArn: 'arn:aws:iam::123456789012:role/x' }));
await show('badkey', iam.call('TagRole', { RoleName: 'r1', Tags: [{Key:'a#b',Value:'1'}] }));
