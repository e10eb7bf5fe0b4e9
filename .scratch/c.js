try { await iam.call('GetRole', { RoleName: 'nope' }); } catch (e) { console.log(Object.keys(e), e.Error, e.$fault, e.$metadata, e.Type, e.Code); }
